"""Surveys in the domain: import, send, answer exactly once, results under the anonymity rule,
the year's results for the report, year over year."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.errors import DomainError
from core.survey_results import MIN_ANONYMOUS, year_over_year, year_results
from core.survey_spec import from_csv, from_yaml
from core.survey_templates import template
from tests.support import count_rows, seed_community

SPEC = """
title: 작은 설문
anonymous: true
audience: all
questions:
  - kind: scale
    text: 이웃을 믿어요?
  - kind: choice
    text: 몇 명?
    options: [없음, 1명, 2명 이상]
  - kind: multi
    text: 좋은 점
    options: [이웃, 절약, 나눔]
  - kind: text
    text: 한마디
    optional: true
"""


def render(survey, community) -> str:
    return f"설문: {survey.title}", "답하기"


async def answer_all(services, actor, survey, scale, choice, picks, text=None):
    progress = await services.survey_answers.begin(actor, survey.id)
    q = progress.question
    progress = await services.survey_answers.answer(actor, survey.id, q.id, value=scale)
    q = progress.question
    progress = await services.survey_answers.answer(actor, survey.id, q.id, value=choice)
    q = progress.question
    for pick in picks:
        await services.survey_answers.pick(actor, survey.id, q.id, pick, True)
    progress = await services.survey_answers.answer(actor, survey.id, q.id, done=True)
    q = progress.question
    if text is None:
        return await services.survey_answers.answer(actor, survey.id, q.id, skip=True)
    return await services.survey_answers.answer(actor, survey.id, q.id, text=text)


def test_csv_reads_as_the_yaml_does():
    csv_text = ("kind,text,options,optional\n"
                "scale,이웃을 믿어요?,,\n"
                "choice,몇 명?,없음|1명|2명 이상,\n"
                "multi,좋은 점,이웃|절약|나눔,no\n"
                "text,한마디,,yes\n")
    from_file = from_csv(csv_text, {"title": "작은 설문", "anonymous": True})
    assert from_file == from_yaml(SPEC)


def test_a_bad_question_is_named():
    with pytest.raises(DomainError) as raised:
        from_yaml("title: t\nquestions:\n  - {kind: scale, text: a}\n  - {kind: pick, text: b}")
    assert raised.value.code == "survey_question_kind" and raised.value.params["number"] == 2
    with pytest.raises(DomainError) as raised:
        from_yaml("title: t\nquestions:\n  - {kind: choice, text: a, options: [하나]}")
    assert raised.value.code == "survey_options_missing"


def test_an_unknown_key_is_refused_and_named():
    """A typo in a key (`closes_at`, `anonymus`) would leave a survey open for ever or named
    by default; the file is refused, naming the key, where it is and the keys allowed."""
    with pytest.raises(DomainError) as raised:
        from_yaml(SPEC.replace("anonymous: true", "anonymus: true"))
    assert raised.value.code == "survey_key_unknown"
    assert raised.value.params["key"] == "anonymus"
    assert raised.value.params["suggestion"] == "anonymous"
    assert "closes" in raised.value.params["allowed"]
    with pytest.raises(DomainError) as raised:
        from_yaml(SPEC.replace("    optional: true", "    optinal: true"))
    assert raised.value.code == "survey_question_key_unknown"
    assert (raised.value.params["number"], raised.value.params["key"]) == (4, "optinal")
    assert raised.value.params["suggestion"] == "optional"
    with pytest.raises(DomainError) as raised:
        from_csv("kind,text,choices\nscale,a,\n", {"title": "t"})
    assert raised.value.code == "survey_column_unknown"
    assert raised.value.params["key"] == "choices"
    with pytest.raises(DomainError) as raised:  # an unquoted comma spills into no column
        from_csv("kind,text,options\nscale,a,\nchoice,b,c,d\n", {"title": "t"})
    assert (raised.value.code, raised.value.params["number"]) == ("survey_row_too_long", 2)
    # A header written in capitals, and empty cells past the header, still read.
    assert from_csv("Kind, Text ,options,,\nscale,a,,,\n", {"title": "t"}).questions[0].text == "a"


def test_a_key_written_twice_is_refused_with_its_line():
    """YAML would keep the second `anonymous:` (or a question's second `text:`) unseen."""
    with pytest.raises(DomainError) as raised:
        from_yaml(SPEC + "anonymous: false\n")
    assert raised.value.code == "survey_key_twice"
    assert (raised.value.params["key"], raised.value.params["line"]) == ("anonymous", 17)
    with pytest.raises(DomainError) as raised:
        from_yaml(SPEC.replace("    text: 좋은 점", "    text: 좋은 점\n    text: 나쁜 점"))
    assert (raised.value.params["key"], raised.value.params["line"]) == ("text", 13)
    assert from_yaml(SPEC).anonymous is True  # the same keys in different questions are fine
    # A merge key (`<<: *base`) is not a repeat, and a key YAML cannot take is still refused
    # as unreadable, not a crash.
    merged = from_yaml(SPEC.replace("  - kind: text\n    text: 한마디",
                                    "  - &base {kind: text, text: 한마디}\n"
                                    "  - <<: *base\n    text: 두마디"))
    assert [q.text for q in merged.questions[-2:]] == ["한마디", "두마디"]
    with pytest.raises(DomainError) as raised:
        from_yaml("? [a, b]\n: 1\n" + SPEC)
    assert raised.value.code == "survey_yaml_invalid"


def test_the_readme_example_is_complete_and_imports():
    """The README's YAML example writes every key a survey file has, and imports as it is."""
    import yaml

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(example)
    assert list(data) == ["title", "anonymous", "audience", "opens", "closes", "questions"]
    assert {key for q in data["questions"] for key in q} == {"kind", "text", "options",
                                                              "optional"}
    spec = from_yaml(example)
    assert [q.kind for q in spec.questions] == ["scale", "choice", "multi", "text"]
    assert (spec.opens, spec.closes) == (date(2026, 4, 1), date(2026, 4, 30))
    assert spec.anonymous and spec.questions[2].optional and spec.questions[1].options


def test_the_template_has_ten_keyed_questions():
    spec = template("trust_community")
    assert len(spec.questions) == 10 and all(q.key for q in spec.questions)
    assert {q.kind for q in spec.questions} == {"scale", "choice", "multi", "text"}


async def test_answers_once_and_results_hide_small_anonymous_counts(services, clock):
    kim, lee, park = await seed_community(services, members=3)
    survey = await services.surveys.create(kim, from_yaml(SPEC))
    assert await services.surveys.send(kim, survey.id, render) == 3
    with pytest.raises(DomainError):
        await services.surveys.send(kim, survey.id, render)
    first = await services.survey_answers.begin(lee, survey.id)
    again = await services.survey_answers.answer(lee, survey.id, first.question.id, value=4)
    twice = await services.survey_answers.answer(lee, survey.id, first.question.id, value=1)
    assert again.recorded and not twice.recorded and twice.answered == 1
    assert await count_rows(services, "survey_answers") == 1
    done = await answer_all(services, park, survey, 2, 1, [0, 2], "좋아요")
    assert done.finished
    with pytest.raises(DomainError) as raised:
        await services.survey_answers.begin(park, survey.id)
    assert raised.value.code == "survey_answered"
    results = await services.survey_results.results(survey)
    assert results.invited == 3 and results.finished == 1 and results.started == 2
    scale = results.questions[0]
    assert scale.answers == 2 and scale.hidden and scale.counts == () and scale.mean is None
    # finished anonymous responses name no one; once closed, unfinished ones neither
    assert await linked_responses(services) == 1  # 이철수's, still answering
    await services.surveys.close(kim, survey.id)
    assert await linked_responses(services) == 0
    with pytest.raises(DomainError) as raised:
        await services.survey_answers.begin(lee, survey.id)
    assert raised.value.code == "survey_closed"


async def linked_responses(services) -> int:
    async with services.db.read() as conn, conn.execute(
            "SELECT COUNT(*) FROM survey_invites WHERE response_id IS NOT NULL") as cursor:
        return (await cursor.fetchone())[0]


async def test_the_same_answer_tapped_twice_at_once_is_recorded_once(services):
    kim, lee = await seed_community(services, members=2)
    survey = await services.surveys.create(kim, from_yaml(SPEC))
    await services.surveys.send(kim, survey.id, render)
    first = await services.survey_answers.begin(lee, survey.id)
    taps = await asyncio.gather(*(services.survey_answers.answer(
        lee, survey.id, first.question.id, value=value) for value in (4, 2)))
    assert sorted(tap.recorded for tap in taps) == [False, True]
    assert {tap.answered for tap in taps} == {1}
    assert await count_rows(services, "survey_answers") == 1


async def test_year_results_and_year_over_year(services, clock):
    actors = await seed_community(services, members=MIN_ANONYMOUS + 1)
    coordinator = actors[0]
    by_year = {}
    for year, scale in ((2026, 3), (2027, 5)):
        spec = replace(template("trust_community"), closes=None)
        survey = await services.surveys.create(coordinator, spec)
        await services.surveys.send(coordinator, survey.id, render)
        for actor in actors[1:]:
            progress = await services.survey_answers.begin(actor, survey.id)
            while not progress.finished:
                q = progress.question
                if q.kind == "scale":
                    progress = await services.survey_answers.answer(actor, survey.id, q.id,
                                                                    value=scale)
                elif q.kind == "choice":
                    progress = await services.survey_answers.answer(actor, survey.id, q.id,
                                                                    value=0)
                elif q.kind == "multi":
                    await services.survey_answers.pick(actor, survey.id, q.id, 1, True)
                    progress = await services.survey_answers.answer(actor, survey.id, q.id,
                                                                    done=True)
                else:
                    progress = await services.survey_answers.answer(actor, survey.id, q.id,
                                                                    text="좋아요")
        await services.surveys.close(coordinator, survey.id)
        found = await year_results(services.db, coordinator.community.id, clock.now().year)
        assert [r.survey.id for r in found] == [survey.id]
        first = found[0].questions[0]
        assert first.answers == MIN_ANONYMOUS and not first.hidden and first.mean == scale
        assert dict(first.counts)[str(scale)] == MIN_ANONYMOUS
        assert found[0].questions[-1].texts == ((None, "좋아요"),) * MIN_ANONYMOUS
        by_year[year] = found
        clock.advance(timedelta(days=365))
    assert await year_results(services.db, coordinator.community.id, 2025) == []
    trends = year_over_year(by_year)
    trust = next(t for t in trends if t.key == "trust_neighbours")
    assert [(p.year, p.mean) for p in trust.years] == [(2026, 3.0), (2027, 5.0)]


async def test_the_template_tapped_again_opens_its_unsent_survey(services):
    """The template's button, tapped twice at once or again later, gives the survey from it
    not yet sent, not a second one; once that is sent, a new one."""
    kim, *_ = await seed_community(services, members=2)
    first, second = await asyncio.gather(*(
        services.surveys.create(kim, template("trust_community"), reuse_unsent=True)
        for _ in range(2)))
    assert first.id == second.id and await count_rows(services, "surveys") == 1
    await services.surveys.set_opening(kim, first.id, date(2026, 3, 9))  # scheduled: unsent
    again = await services.surveys.create(kim, template("trust_community"), reuse_unsent=True)
    assert again.id == first.id and again.status == "scheduled"
    await services.surveys.send(kim, first.id, render)
    after = await services.surveys.create(kim, template("trust_community"), reuse_unsent=True)
    assert after.id != first.id and after.status == "draft"
    # A file's survey has no template: each import is its own.
    await services.surveys.create(kim, from_yaml(SPEC), reuse_unsent=True)
    await services.surveys.create(kim, from_yaml(SPEC), reuse_unsent=True)
    assert await count_rows(services, "surveys") == 4
