"""A survey on every channel (`any_harness`: Telegram, the console, KakaoTalk): sent from the
/surveys menu, answered with buttons and typed text, stopped and resumed, a second tap
recording nothing, the results seen by the coordinator; its opening day, closing day and
audience (an event's sign-ups too) chosen in chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversation.i18n import translator
from conversation.limits import plain_text
from conversation.survey_text import invitation_parts
from core.events import EventDraft
from core.survey_spec import from_yaml
from tests.conftest import KIM, LEE, PARK
from tests.support import count_rows, open_community

SPEC = """
title: 짧은 설문
anonymous: false
questions:
  - kind: scale
    text: 품앗이에 만족하세요?
  - kind: text
    text: 한마디 해 주세요
"""


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def test_a_survey_sent_answered_and_read_on_every_channel(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    survey = await harness.services.surveys.create(None, from_yaml(SPEC), community_code="mapo")
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, f"svya:v:{survey.id}")
    assert "까지 받아요" in said(await harness.tap(KIM, f"svya:cl:14:{survey.id}"))
    await harness.tap(KIM, f"svya:who:{survey.id}")
    assert "받는 분: 회원 모두" in said(await harness.tap(KIM, f"svya:to:all:{survey.id}"))
    await harness.tap(KIM, f"svya:send:{survey.id}")
    assert "3명" in said(await harness.tap(KIM, f"svya:ok:{survey.id}"))
    await harness.deliver_notices()
    assert "짧은 설문" in plain_text(harness.last_message_to(LEE).text)

    assert "(1/2)" in said(await harness.send(LEE, "설문"))
    four = harness.button_data(LEE, "4")
    await harness.tap(LEE, four)
    assert "(2/2)" in plain_text(harness.last_message_to(LEE).text)
    await harness.send(LEE, "이웃이 생겼어요")
    assert "고맙습니다" in plain_text(harness.last_message_to(LEE).text)
    await harness.tap(LEE, four)  # the old button again: nothing more is recorded
    assert await count_rows(harness.services, "survey_answers") == 2

    invited = harness.button_data(PARK, "설문에 답하기")  # the invitation's own button
    assert "(1/2)" in said(await harness.tap(PARK, invited))
    await harness.tap(PARK, harness.button_data(PARK, "나중에"))
    assert "(1/2)" in said(await harness.send(PARK, "/survey"))

    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, f"svya:v:{survey.id}")
    results = said(await harness.tap(KIM, f"svya:res:{survey.id}"))
    assert "평균 4.00점" in results and "이웃이 생겼어요" in results


async def test_a_survey_built_in_chat_on_every_channel(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE,))
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, harness.button_data(KIM, "새 설문"))
    await harness.send(KIM, "우리 동네 설문")
    await harness.tap(KIM, harness.button_data(KIM, "익명"))
    await harness.tap(KIM, harness.button_data(KIM, "하나 고르기"))
    await harness.send(KIM, "자주 거래하세요?")
    await harness.send(KIM, "매주, 매달, 가끔")
    await harness.tap(KIM, harness.button_data(KIM, "글로 답하기"))
    await harness.send(KIM, "한마디")
    saved = said(await harness.tap(KIM, harness.button_data(KIM, "저장")))
    assert "S1 우리 동네 설문" in saved and "질문 2개" in saved
    survey = await harness.services.surveys.get(None, 1)
    assert survey.anonymous and [(q.kind, q.options) for q in survey.questions] == [
        ("choice", ("매주", "매달", "가끔")), ("text", ())]


async def open_due(harness) -> None:
    """The sweep's part that sends the surveys whose opening day has come."""
    await harness.services.surveys.open_due(
        lambda survey, community: invitation_parts(translator(None), survey, community))
    await harness.deliver_notices()


async def test_an_opening_day_and_an_events_sign_ups_chosen_in_chat(any_harness, clock):
    """The opening day an imported survey's `opens` gives, chosen in chat (a button, or a day
    written as events take theirs): the sweep sends it that morning, to those signed up for
    the event chosen as a notice chooses it, and it closes a week after it opened."""
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    kim = await harness.services.people.resolve(harness.channel, str(KIM.id), KIM.first_name)
    lee = await harness.services.people.resolve(harness.channel, str(LEE.id), LEE.first_name)
    starts = clock.now() + timedelta(days=3)
    event = (await harness.services.events.create(kim, EventDraft(
        kind="study", title="품앗이 학당", starts_at=starts,
        ends_at=starts + timedelta(hours=2), capacity=10))).event
    await harness.services.events.sign_up(lee, event.id)
    survey = await harness.services.surveys.create(None, from_yaml(SPEC), community_code="mapo")
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, f"svya:v:{survey.id}")
    asked = said(await harness.tap(KIM, harness.button_data(KIM, "시작일 정하기")))
    assert "오전 9시" in asked
    assert harness.button_data(KIM, "내일") == f"svya:od:20260303:{survey.id}"
    assert "날짜를 알아보지 못했어요" in said(await harness.send(KIM, "언젠가요"))
    assert "오늘 보내려면 ‘지금 보내기’" in said(await harness.send(KIM, "오늘"))
    assert "3월 9일" in said(await harness.send(KIM, "월요일"))  # on a Monday: next week's
    await harness.tap(KIM, harness.button_data(KIM, "시작일 정하기"))
    shown = said(await harness.send(KIM, "다음주 수요일"))  # Monday 2 March: the 11th
    assert "3월 11일" in shown and "시작" in shown and "아직 마감일이 없어요" in shown
    shown = said(await harness.tap(KIM, harness.button_data(KIM, "시작 뒤 7일")))
    assert "3월 18일" in shown and "까지 받아요" in shown
    await harness.tap(KIM, harness.button_data(KIM, "받는 분 정하기"))
    await harness.tap(KIM, harness.button_data(KIM, "일정에 신청한 분"))
    shown = said(await harness.tap(KIM, harness.button_data(KIM, "품앗이 학당")))
    assert "받는 분: ‘품앗이 학당’에 신청한 분" in shown
    assert await harness.services.dialogs.get(kim.person.id) is None

    await open_due(harness)
    assert "지금 답하실 설문은 없어요" in said(await harness.send(LEE, "/survey"))
    clock.advance(datetime(2026, 3, 11, 0, 0, tzinfo=UTC) - clock.now())  # 9:00 in Seoul
    await open_due(harness)
    await open_due(harness)  # a second sweep sends nothing more
    assert await count_rows(harness.services, "outbox") == 1
    assert "(1/2)" in said(await harness.send(LEE, "/survey"))
    assert "(1/2)" in said(await harness.tap(LEE, harness.button_data(LEE, "설문에 답하기")))
    assert not any("짧은 설문" in (call.text or "") for call in harness.sent_to(PARK))
    assert await count_rows(harness.services, "survey_invites") == 1
    sent = await harness.services.surveys.get(None, survey.id)
    assert sent.status == "open" and sent.closes_at == datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


async def test_a_survey_past_its_closing_day_is_not_sent(any_harness, clock):
    """"Closes in 7 days" tapped on a draft with no opening day counts from that day: sent
    ten days later, it would go out already closed. Send now refuses it, says why and offers
    the closing days again; with a new one it goes."""
    harness = any_harness
    survey = await _viewing_a_new_survey(harness)
    await harness.tap(KIM, f"svya:cl:7:{survey.id}")  # the end of Monday 9 March
    await harness.tap(KIM, f"svya:send:{survey.id}")  # the preview, left there
    clock.advance(timedelta(days=10))
    if harness.channel != "kakao":  # KakaoTalk's buttons do not last ten days
        refused = said(await harness.tap(KIM, f"svya:ok:{survey.id}"))  # its Send, days later
        assert "마감일이 지나서 보내지 않았어요" in refused and "마감일을 새로 골라" in refused
    listed = said(await harness.send(KIM, "/surveys"))
    assert "아직 안 보냄 · ⚠️ 마감일이 지났거나 너무 가까워요. 새 마감일을 골라 주세요" in listed
    assert "마감일이 지났어요" in said(await harness.tap(KIM, f"svya:v:{survey.id}"))
    refused = said(await harness.tap(KIM, f"svya:send:{survey.id}"))
    assert "마감일이 지나서 보내지 않았어요" in refused and "마감일을 새로 골라" in refused
    assert harness.button_data(KIM, "7일 뒤 마감") == f"svya:cl:7:{survey.id}"
    assert (await harness.services.surveys.get(None, survey.id)).status == "draft"
    assert await count_rows(harness.services, "survey_invites") == 0
    shown = said(await harness.tap(KIM, harness.button_data(KIM, "7일 뒤 마감")))
    assert "3월 19일" in shown and "지났어요" not in shown
    await harness.tap(KIM, f"svya:send:{survey.id}")
    assert "2명" in said(await harness.tap(KIM, f"svya:ok:{survey.id}"))


async def _viewing_a_new_survey(harness):
    """김영희 (a coordinator of 마포, with 이철수) looks at a new survey in /surveys."""
    await open_community(harness, KIM, (LEE,))
    survey = await harness.services.surveys.create(None, from_yaml(SPEC), community_code="mapo")
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, f"svya:v:{survey.id}")
    return survey


async def _asked_for_an_opening_day(harness):
    """김영희 has opened a new survey's opening-day question in /surveys."""
    survey = await _viewing_a_new_survey(harness)
    kim = await harness.services.people.resolve(harness.channel, str(KIM.id), KIM.first_name)
    await harness.tap(KIM, f"svya:op:{survey.id}")
    return kim, survey


async def test_the_opening_day_dialog_ends_once_the_survey_goes_another_way(any_harness):
    """Asked for an opening day, the coordinator sends the survey now instead, or another
    coordinator (or the sweep) does: what they type next is read as usual, not as a day."""
    harness = any_harness
    kim, first = await _asked_for_an_opening_day(harness)
    await harness.send(KIM, "/surveys")
    assert await harness.services.dialogs.get(kim.person.id) is None
    await harness.tap(KIM, f"svya:v:{first.id}")
    await harness.tap(KIM, f"svya:op:{first.id}")
    await harness.tap(KIM, f"svya:send:{first.id}")  # Send now from the day's question
    await harness.tap(KIM, f"svya:ok:{first.id}")
    assert await harness.services.dialogs.get(kim.person.id) is None

    second = await harness.services.surveys.create(None, from_yaml(SPEC), community_code="mapo")
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, f"svya:v:{second.id}")
    await harness.tap(KIM, f"svya:op:{second.id}")
    await harness.services.surveys.send(  # another coordinator, or the sweep
        None, second.id, lambda s, c: invitation_parts(translator(None), s, c))
    balance = said(await harness.send(KIM, "내 잔액 알려줘"))
    assert "날짜를 알아보지 못했어요" not in balance and "잔액" in balance
    assert await harness.services.dialogs.get(kim.person.id) is None


async def test_text_that_is_no_day_but_another_request_leaves_the_opening_day(any_harness):
    """Asked for an opening day, the coordinator asks for their balance: that is answered and
    the question ends; text that is neither is asked about again."""
    harness = any_harness
    kim, survey = await _asked_for_an_opening_day(harness)
    assert "날짜를 알아보지 못했어요" in said(await harness.send(KIM, "언젠가요"))
    balance = said(await harness.send(KIM, "내 잔액 알려줘"))
    assert "날짜를 알아보지 못했어요" not in balance and "잔액" in balance
    assert await harness.services.dialogs.get(kim.person.id) is None
    assert (await harness.services.surveys.get(None, survey.id)).status == "draft"
    await harness.tap(KIM, f"svya:op:{survey.id}")
    assert "“떡”" in said(await harness.send(KIM, "장터 떡"))
    assert await harness.services.dialogs.get(kim.person.id) is None


async def test_a_closing_day_chosen_before_the_opening_day_is_chosen_again(any_harness):
    """Closing first, then the opening day: the closing day is cleared and the coordinator
    asked to choose it again; "7 days after it opens" is cleared as well when the opening day
    changes again, never moved unnoticed."""
    harness = any_harness
    survey = await _viewing_a_new_survey(harness)
    await harness.tap(KIM, f"svya:cl:7:{survey.id}")  # the end of Monday 9 March
    await harness.tap(KIM, f"svya:op:{survey.id}")
    shown = said(await harness.send(KIM, "3월 8일"))
    assert "시작일이 바뀌어서 마감일을 지웠어요" in shown and "아직 마감일이 없어요" in shown
    shown = said(await harness.tap(KIM, harness.button_data(KIM, "시작 뒤 7일")))
    assert "3월 15일" in shown and "까지 받아요" in shown
    await harness.tap(KIM, f"svya:op:{survey.id}")
    shown = said(await harness.send(KIM, "3월 10일"))
    assert "시작일이 바뀌어서 마감일을 지웠어요" in shown and "아직 마감일이 없어요" in shown
    assert "3월 17일" not in shown


async def test_the_opening_day_question_ends_once_the_survey_is_out_of_reach(any_harness):
    """Asked for an opening day, the coordinator switches to a community they do not
    coordinate: the survey is no longer theirs to schedule, so what they type is read as
    usual, and /surveys there (refused) ends the question too."""
    harness = any_harness
    kim, survey = await _asked_for_an_opening_day(harness)
    await harness.services.membership.create_community(
        code="jongno", name="종로 품앗이", credit_floor=-300_000, approval="auto")
    await harness.join(KIM, "jongno")  # a member there, not a coordinator
    assert await harness.services.dialogs.get(kim.person.id) is not None
    balance = said(await harness.send(KIM, "내 잔액 알려줘"))
    assert "잔액" in balance and "찾을 수 없어요" not in balance
    assert await harness.services.dialogs.get(kim.person.id) is None
    assert "“떡”" in said(await harness.send(KIM, "장터 떡"))

    await harness.send(KIM, "/switch")
    await harness.tap(KIM, harness.button_data(KIM, "마포 품앗이"))
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, f"svya:v:{survey.id}")
    await harness.tap(KIM, f"svya:op:{survey.id}")
    await harness.send(KIM, "/switch")
    await harness.tap(KIM, harness.button_data(KIM, "종로 품앗이"))
    assert "운영위원만 할 수 있어요" in said(await harness.send(KIM, "/surveys"))
    assert await harness.services.dialogs.get(kim.person.id) is None
    assert (await harness.services.surveys.get(None, survey.id)).status == "draft"


async def test_a_word_command_leaves_the_opening_day_question(any_harness):
    """Asked for an opening day, the coordinator types a shop's code, the shops' word or a
    menu label without its emoji: that is done and the question ends, as in a shop payment;
    a payment written out (`이철수에게 500문 보내줘`) starts that payment instead."""
    harness = any_harness
    kim, survey = await _asked_for_an_opening_day(harness)
    for text in ("가게 1234", "가게", "가게 99번", "대기 요청"):
        answer = said(await harness.send(KIM, text))
        assert "날짜를 알아보지 못했어요" not in answer, text
        assert await harness.services.dialogs.get(kim.person.id) is None, text
        await harness.tap(KIM, f"svya:op:{survey.id}")
    answer = said(await harness.send(KIM, "이철수에게 500문 보내줘"))
    assert "날짜를 알아보지 못했어요" not in answer and "500문" in answer
    dialog = await harness.services.dialogs.get(kim.person.id)
    assert dialog is None or dialog.name != "survey_opens"
    assert (await harness.services.surveys.get(None, survey.id)).status == "draft"
