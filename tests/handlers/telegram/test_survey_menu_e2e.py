"""The coordinator's /surveys: a survey built in the chat dialog (saved once however often
Done is tapped), the standard template offered as a button, the years side by side; its
closing day and who gets it chosen in chat before it is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.survey_spec import from_yaml
from core.survey_templates import template
from tests.conftest import KIM, LEE, PARK
from tests.support import alerts, count_rows, open_community, texts


async def test_a_survey_built_in_chat_is_saved_once(harness):
    await open_community(harness, KIM, (LEE,))
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, "svya:new")
    assert "(1/2)" not in texts(await harness.send(KIM, "우리 동네 설문"))
    await harness.tap(KIM, "svyb:an:0")
    await harness.tap(KIM, "svyb:k:scale")
    await harness.send(KIM, "만족하세요?")
    await harness.tap(KIM, "svyb:k:multi")
    await harness.send(KIM, "좋은 점은?")
    refused = texts(await harness.send(KIM, "이웃"))  # one option is not a choice
    assert "보기를 2개에서 10개까지" in refused
    await harness.send(KIM, "이웃, 절약, 나눔")
    await harness.tap(KIM, "svyb:k:text")
    assert "질문 4: 어떻게" in texts(await harness.send(KIM, "한마디"))
    saved = texts(await harness.tap(KIM, "svyb:fin"))
    assert "S1 우리 동네 설문" in saved and "질문 3개" in saved and "실명" in saved
    again = await harness.tap(KIM, "svyb:fin")
    assert alerts(again) and await count_rows(harness.services, "surveys") == 1
    survey = await harness.services.surveys.get(None, 1)
    assert [(q.kind, q.text, q.options, q.optional) for q in survey.questions] == [
        ("scale", "만족하세요?", (), False),
        ("multi", "좋은 점은?", ("이웃", "절약", "나눔"), False),
        ("text", "한마디", (), True)]
    assert not survey.anonymous and survey.status == "draft"
    # a member cannot use the coordinator's menu
    assert "운영위원" in texts(await harness.send(LEE, "/surveys"))


async def test_the_standard_template_and_the_years_side_by_side(harness):
    await open_community(harness, KIM, (LEE, PARK))
    menu = await harness.send(KIM, "/surveys")
    assert "표준 설문: 신뢰·공동체의식" in " ".join(label for c in menu for label, _ in c.buttons)
    shown = texts(await harness.tap(KIM, "svya:tpl:trust_community"))
    assert "질문 10개" in shown and "익명" in shown
    assert "두 해에 걸쳐" in texts(await harness.tap(KIM, "svya:yoy"))
    services = harness.services
    kim = await services.people.resolve("telegram", str(KIM.id), KIM.first_name)
    for survey_id in (1, 2):
        if survey_id == 2:
            await harness.tap(KIM, "svya:tpl:trust_community")
        await harness.tap(KIM, f"svya:ok:{survey_id}")
        for user in (KIM, LEE, PARK):
            actor = await services.people.resolve("telegram", str(user.id), user.first_name)
            progress = await services.survey_answers.begin(actor, survey_id)
            await services.survey_answers.answer(actor, survey_id, progress.question.id,
                                                 value=3 + survey_id - 1)
        await services.surveys.close(kim, survey_id)
        harness.clock.advance(timedelta(days=366))
    years = texts(await harness.tap(KIM, "svya:yoy"))
    # three answers a year: the anonymous template shows how many, never the mean
    assert "2026년: 답변 3건" in years and "2027년: 답변 3건" in years
    assert "점 (답변" not in years


async def test_a_survey_made_in_chat_gets_a_closing_day_and_its_reminder(harness):
    """A survey built in chat (or the template from the menu) has no closing day of its own:
    the coordinator gives it one before sending, and the reminder follows from it."""
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, "svya:new")
    await harness.send(KIM, "봄 설문")
    await harness.tap(KIM, "svyb:an:0")
    await harness.tap(KIM, "svyb:k:scale")
    await harness.send(KIM, "만족하세요?")
    draft = await harness.tap(KIM, "svyb:fin")
    assert "아직 마감일이 없어요" in texts(draft)
    assert ("📅 7일 뒤 마감", "svya:cl:7:1") in [b for c in draft for b in c.buttons]
    # Monday 2 March (Seoul) + 7 days: open until the end of Monday 9 March
    shown = texts(await harness.tap(KIM, "svya:cl:7:1"))
    assert "3월 9일" in shown and "까지 받아요" in shown
    survey = await harness.services.surveys.get(None, 1)
    assert survey.closes_at == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    await harness.tap(KIM, "svya:send:1")
    await harness.tap(KIM, "svya:ok:1")
    await harness.deliver_notices()
    assert "이미 보냈어요" in " ".join(alerts(await harness.tap(KIM, "svya:cl:14:1")))
    await harness.send(PARK, "/survey")
    await harness.tap(PARK, harness.button_data(PARK, "5"))
    # ten in the morning of the closing day: those who have not finished, once
    harness.clock.advance(datetime(2026, 3, 9, 1, 0, tzinfo=UTC) - harness.clock.now())
    await harness.sweep()
    await harness.sweep()
    for user, reminded in ((LEE, 1), (KIM, 1), (PARK, 0)):
        got = [c for c in harness.sent_to(user) if "마감돼요" in (c.text or "")]
        assert len(got) == reminded, user.first_name
    harness.clock.advance(timedelta(hours=14))
    await harness.sweep()
    assert (await harness.services.surveys.get(None, 1)).status == "closed"


async def test_who_gets_a_survey_made_in_chat_is_chosen_before_sending(harness):
    """The audience an imported survey names in `audience`, chosen in chat for a survey made
    there: here the coordinators only, so the members are not asked."""
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(KIM, "/surveys")
    view = texts(await harness.tap(KIM, "svya:tpl:trust_community"))
    assert "받는 분: 회원 모두" in view
    choices = await harness.tap(KIM, "svya:who:1")
    assert [b for c in choices for b in c.buttons][:4] == [
        ("회원 모두", "svya:to:all:1"), ("운영위원", "svya:to:coordinators:1"),
        ("최근 90일 동안 거래한 회원", "svya:to:active:1"),
        ("최근 90일 동안 거래 없는 회원", "svya:to:inactive:1")]
    assert "받는 분: 운영위원" in texts(await harness.tap(KIM, "svya:to:coordinators:1"))
    assert "1명에게 보내요" in texts(await harness.tap(KIM, "svya:send:1"))
    await harness.tap(KIM, "svya:ok:1")
    await harness.deliver_notices()
    assert await count_rows(harness.services, "survey_invites") == 1
    for user in (LEE, PARK):
        assert not [c for c in harness.sent_to(user) if "신뢰" in (c.text or "")]
    assert "이미 보냈어요" in " ".join(alerts(await harness.tap(KIM, "svya:to:all:1")))
    active = await harness.services.surveys.create(
        None, template("trust_community"), community_code="mapo")
    await harness.tap(KIM, f"svya:to:active:{active.id}")
    survey = await harness.services.surveys.get(None, active.id)
    assert (survey.audience, survey.audience_days) == ("active", 90)


async def test_a_survey_made_in_chat_goes_out_on_the_opening_day_chosen(harness):
    """Tomorrow, tapped: the sweep sends it at 9:00 that day, as it sends an imported
    survey's `opens`; an old Tomorrow button tapped once that day has come is refused, and
    No opening day puts it back to be sent from the menu."""
    await open_community(harness, KIM, (LEE,))
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, "svya:tpl:trust_community")
    days = [b for c in await harness.tap(KIM, "svya:op:1") for b in c.buttons]
    assert days[:2] == [("내일 · 3월 3일 (화)", "svya:od:20260303:1"),
                        ("다음주 월요일 · 3월 9일 (월)", "svya:od:20260309:1")]
    shown = texts(await harness.tap(KIM, "svya:od:20260309:1"))
    assert "시작일에 보낼 예정" in shown and "3월 9일 (월)에 시작" in shown
    assert ("시작일 없이 직접 보낼게요", "svya:od:0:1") in [
        b for c in await harness.tap(KIM, "svya:op:1") for b in c.buttons]
    assert "상태: 아직 안 보냄" in texts(await harness.tap(KIM, "svya:od:0:1"))
    await harness.tap(KIM, "svya:od:20260303:1")
    await harness.tap(KIM, "svya:od:20260303:1")  # a double tap changes nothing more
    await harness.tap(KIM, "svya:cl:7:1")
    survey = await harness.services.surveys.get(None, 1)
    assert survey.closes_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    await harness.sweep()
    await harness.deliver_notices()
    assert not [c for c in harness.sent_to(LEE) if "신뢰" in (c.text or "")]
    harness.clock.advance(datetime(2026, 3, 3, 0, 0, tzinfo=UTC) - harness.clock.now())
    await harness.sweep()
    await harness.deliver_notices()
    assert len([c for c in harness.sent_to(LEE) if "신뢰" in (c.text or "")]) == 1
    assert "이미 보냈어요" in " ".join(alerts(await harness.tap(KIM, "svya:od:20260304:1")))
    other = await harness.services.surveys.create(
        None, template("trust_community"), community_code="mapo")
    refused = await harness.tap(KIM, f"svya:od:20260303:{other.id}")  # today by now
    assert "내일부터 365일 안에서" in texts(refused) + " ".join(alerts(refused))


async def test_the_template_button_tapped_twice_opens_the_same_draft(harness):
    await open_community(harness, KIM, (LEE,))
    await harness.send(KIM, "/surveys")
    assert "S1 품앗이 참여자" in texts(await harness.tap(KIM, "svya:tpl:trust_community"))
    await harness.send(KIM, "/surveys")
    assert "S1 품앗이 참여자" in texts(await harness.tap(KIM, "svya:tpl:trust_community"))
    assert await count_rows(harness.services, "surveys") == 1


async def test_the_sweep_holds_back_a_survey_whose_closing_day_has_passed(harness):
    """Opening and closing the same day, and the bot down all that day: the next sweep does
    not send it already closed. It goes back to the drafts, without its opening day, and
    the coordinator is told once, with the survey to open; /surveys says why."""
    await open_community(harness, KIM, (LEE,))
    survey = await harness.services.surveys.create(None, from_yaml(
        "title: 하루 설문\nopens: 2026-03-03\ncloses: 2026-03-03\n"
        "questions:\n  - kind: scale\n    text: 만족하세요?\n"), community_code="mapo")
    harness.clock.advance(datetime(2026, 3, 4, 1, 0, tzinfo=UTC) - harness.clock.now())
    await harness.sweep()
    told = [c for c in harness.sent_to(KIM) if "하루 설문" in (c.text or "")]
    assert len(told) == 1 and "마감일이 지나서 보내지 않았어요" in told[0].text
    assert ("S1 열기", "svya:v:1") in told[0].buttons
    survey = await harness.services.surveys.get(None, survey.id)
    assert (survey.status, survey.opens_at) == ("draft", None)
    await harness.sweep()
    assert len([c for c in harness.sent_to(KIM) if "하루 설문" in (c.text or "")]) == 1
    assert await count_rows(harness.services, "survey_invites") == 0
    assert not [c for c in harness.sent_to(LEE) if "하루 설문" in (c.text or "")]
    await harness.send(KIM, "/surveys")
    assert "마감일이 지났어요" in texts(await harness.tap(KIM, "svya:v:1"))
