"""An anonymous survey shows no breakdown of fewer than five answers — not in chat, not in the
chart, not in the files — and never a name; from five answers on, the counts show."""

from __future__ import annotations

import csv
import io

from bot.updates import FakeUser
from conversation.survey_chart import chart_series
from core.survey_spec import from_yaml
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import open_community, texts

SPEC = """
title: 익명 설문
anonymous: true
questions:
  - kind: choice
    text: 이웃을 믿어요?
    options: [네, 아니요]
  - kind: text
    text: 한마디
"""
JUNG = FakeUser(105, "정다운", "dawoon")
HAN = FakeUser(106, "한별", "byul")


async def answer(harness, user, choice: str, words: str) -> None:
    await harness.send(user, "/survey")
    await harness.tap(user, harness.button_data(user, choice))
    await harness.send(user, words)
    assert "🙏" in harness.last_message_to(user).text


async def files_of(harness, survey_id: int) -> dict[str, str]:
    calls = await harness.tap(KIM, f"svya:file:{survey_id}")
    return {name: content.decode("utf-8-sig") for c in calls if c.method == "sendDocument"
            for name, content in c.files.items() if name.endswith(".csv")}


async def test_fewer_than_five_answers_show_no_breakdown(harness):
    await open_community(harness, KIM, (LEE, PARK, CHOI, JUNG, HAN))
    survey = await harness.services.surveys.create(None, from_yaml(SPEC), community_code="mapo")
    await harness.services.surveys.send(None, survey.id, lambda s, c: (s.title, "답하기"))
    await harness.deliver_notices()
    for user, choice in ((LEE, "네"), (PARK, "네"), (CHOI, "아니요")):
        await answer(harness, user, choice, f"{user.first_name}의 한마디")

    shown = await harness.tap(KIM, f"svya:res:{survey.id}")
    said = texts(shown)
    assert said.count("5건 미만") == 2 and "네: " not in said and "한마디\n  –" not in said
    assert "의 한마디" not in said
    assert not [c for c in shown if c.method == "sendPhoto"]  # nothing to chart
    results = await harness.services.survey_results.results(survey)
    assert chart_series(results) == []
    files = await files_of(harness, survey.id)
    summary = list(csv.reader(io.StringIO(files[f"mapo-survey-{survey.id}.csv"])))
    assert all(row[3].startswith("답변 5건 미만") for row in summary[1:])
    assert len(list(csv.reader(io.StringIO(files[f"mapo-survey-{survey.id}-answers.csv"])))) == 1

    for user, choice in ((JUNG, "네"), (HAN, "네")):
        await answer(harness, user, choice, f"{user.first_name}의 한마디")
    said = texts(await harness.tap(KIM, f"svya:res:{survey.id}"))
    assert "네: 4 · 아니요: 1" in said and "이철수의 한마디" in said
    for user in (LEE, PARK, CHOI, JUNG, HAN):  # a written answer never carries its author
        assert f"({user.first_name}" not in said
    answers = files_of(harness, survey.id)
    rows = list(csv.reader(io.StringIO((await answers)[f"mapo-survey-{survey.id}-answers.csv"])))
    assert len(rows) == 6 and all(row[3] == "" for row in rows[1:])
