"""An anonymous survey answered on KakaoTalk leaves nothing that leads back to who answered:
the tokens of its tapped buttons (each names the Kakao user and the answer) go when the
member finishes, or when the survey closes, and the response keeps no clock of its own."""

from __future__ import annotations

from datetime import timedelta

from core.survey_spec import from_yaml
from storage.db import fetch_all
from storage.timefmt import to_db
from tests.conftest import KIM, LEE, PARK
from tests.core.test_surveys import render
from tests.kakao_support import KakaoHarness
from tests.support import open_community

SPEC = """
title: 익명 설문
anonymous: true
questions:
  - kind: scale
    text: 품앗이에 만족하세요?
  - kind: text
    text: 한마디 해 주세요
"""


async def survey_tokens(harness, user) -> list[str]:
    async with harness.services.db.read() as conn:
        rows = await fetch_all(conn, "SELECT action FROM kakao_tokens WHERE user_key = ?"
                                     " AND action LIKE 'svy:%' ORDER BY action",
                               (str(user.id),))
    return [row[0] for row in rows]


async def times(harness) -> set[str]:
    async with harness.services.db.read() as conn:
        rows = await fetch_all(conn, "SELECT started_at, finished_at FROM survey_responses")
        rows += await fetch_all(conn, "SELECT answered_at, NULL FROM survey_answers")
    return {value for row in rows for value in row if value is not None}


async def test_an_anonymous_answer_on_kakao_leaves_no_trace(db_target, clock):
    harness = await KakaoHarness.start(db_target, clock)
    try:
        services = harness.services
        await open_community(harness, KIM, (LEE, PARK))
        survey = await services.surveys.create(None, from_yaml(SPEC), community_code="mapo")
        await services.surveys.send(None, survey.id, render)
        sent = (await services.surveys.get(None, survey.id)).sent_at
        await harness.deliver_notices()

        clock.advance(timedelta(hours=2))
        await harness.send(LEE, "설문")
        clock.advance(timedelta(minutes=3))
        await harness.tap(LEE, harness.button_data(LEE, "4"))
        tapped = f"svy:v:{survey.id}:{survey.questions[0].id}:4"
        assert tapped in await survey_tokens(harness, LEE)  # while answering: still theirs
        clock.advance(timedelta(minutes=3))
        await harness.send(LEE, "이웃이 생겼어요")
        assert "고맙습니다" in harness.last_message_to(LEE).text
        assert await survey_tokens(harness, LEE) == []
        assert await times(harness) == {to_db(sent)}

        clock.advance(timedelta(hours=1))
        await harness.send(PARK, "설문")
        clock.advance(timedelta(minutes=1))
        await harness.tap(PARK, harness.button_data(PARK, "2"))
        assert await survey_tokens(harness, PARK)
        assert len(await times(harness)) > 1  # 박민지's unfinished response: still hers
        await services.surveys.close(
            await services.people.resolve("kakao", str(KIM.id), KIM.first_name), survey.id)
        assert await survey_tokens(harness, PARK) == []
        assert await times(harness) == {to_db(sent)}
        results = await services.survey_results.results(survey)
        assert (results.started, results.finished) == (2, 1)
        assert results.questions[0].answers == 2
    finally:
        await harness.stop()
