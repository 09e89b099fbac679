"""A survey on every channel (`any_harness`: Telegram, the console, KakaoTalk): sent from the
/surveys menu, answered with buttons and typed text, stopped and resumed, a second tap
recording nothing, the results seen by the coordinator; its closing day and audience chosen
in chat."""

from __future__ import annotations

from conversation.limits import plain_text
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
