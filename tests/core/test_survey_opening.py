"""A survey's opening day and an event's sign-ups as its audience, chosen in chat: the day is
after today (a year on at most), the closing day comes after it, the sweep sends it on the
day; the event is one of the community's, scheduled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.errors import DomainError
from core.events import EventDraft
from core.survey_spec import from_yaml
from tests.support import seed_community

SPEC = """
title: 봄 설문
questions:
  - kind: scale
    text: 만족하세요?
"""
TODAY = date(2026, 3, 2)  # the clock's Monday, Seoul


def render(survey, community):
    return f"설문: {survey.title}", "답하기"


async def test_an_opening_day_schedules_the_survey_and_the_closing_stays_after_it(
        services, clock):
    kim, _lee = await seed_community(services, members=2)
    survey = await services.surveys.create(kim, from_yaml(SPEC))
    for day in (TODAY, TODAY - timedelta(days=1), TODAY + timedelta(days=366)):
        with pytest.raises(DomainError) as raised:
            await services.surveys.set_opening(kim, survey.id, day)
        assert raised.value.code == "survey_opens_invalid"
    await services.surveys.set_closing(kim, survey.id, 7)  # the end of 9 March
    survey = await services.surveys.set_opening(kim, survey.id, date(2026, 3, 5))
    assert survey.status == "scheduled"
    assert survey.opens_at == datetime(2026, 3, 5, 0, 0, tzinfo=UTC)  # 9:00 in Seoul
    # Seven days from the tap would leave it open four days from the opening: the closing
    # day goes, to be chosen again, and now counts from the opening day.
    assert survey.closes_at is None
    survey = await services.surveys.set_closing(kim, survey.id, 7)
    assert survey.closes_at == datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
    # Seven days after the opening day is cleared too when the opening day moves, either
    # way; the same day again keeps it, and so does "no opening day" (a day, as written).
    survey = await services.surveys.set_opening(kim, survey.id, date(2026, 3, 12))
    assert survey.closes_at is None
    await services.surveys.set_closing(kim, survey.id, 7)
    survey = await services.surveys.set_opening(kim, survey.id, date(2026, 3, 4))
    assert survey.closes_at is None
    await services.surveys.set_closing(kim, survey.id, 7)
    survey = await services.surveys.set_opening(kim, survey.id, date(2026, 3, 4))
    assert survey.closes_at == datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    survey = await services.surveys.set_opening(kim, survey.id, None)
    assert (survey.status, survey.opens_at) == ("draft", None)
    assert survey.closes_at == datetime(2026, 3, 11, 15, 0, tzinfo=UTC)

    survey = await services.surveys.set_opening(kim, survey.id, date(2026, 3, 3))
    assert await services.surveys.open_due(render) == []
    clock.advance(datetime(2026, 3, 3, 0, 0, tzinfo=UTC) - clock.now())
    assert [s.id for s in await services.surveys.open_due(render)] == [survey.id]
    assert await services.surveys.open_due(render) == []
    with pytest.raises(DomainError) as raised:  # sent: its day is no longer to choose
        await services.surveys.set_opening(kim, survey.id, date(2026, 3, 10))
    assert raised.value.code == "survey_already_sent"


async def test_an_events_sign_ups_as_the_audience(services, clock):
    kim, lee, park = await seed_community(services, members=3)
    gangnam, *_ = await seed_community(services, "gangnam", members=1, first_user_id=301)
    starts = clock.now() + timedelta(days=3)
    draft = EventDraft(kind="study", title="품앗이 학당", starts_at=starts,
                       ends_at=starts + timedelta(hours=2), capacity=10)
    event = (await services.events.create(kim, draft)).event
    elsewhere = (await services.events.create(gangnam, draft)).event
    await services.events.sign_up(lee, event.id)
    survey = await services.surveys.create(kim, from_yaml(SPEC))
    with pytest.raises(DomainError) as raised:
        await services.surveys.set_audience(kim, survey.id, "event", elsewhere.id)
    assert raised.value.code == "event_not_found"
    survey = await services.surveys.set_audience(kim, survey.id, "event", event.id)
    assert (survey.audience, survey.audience_event_id) == ("event", event.id)
    assert await services.surveys.count_audience(survey) == 1
    survey = await services.surveys.set_audience(kim, survey.id, "all")
    assert (survey.audience, survey.audience_event_id) == ("all", None)


async def test_a_survey_is_not_sent_past_or_within_the_hour_of_its_closing(services, clock):
    kim, _lee = await seed_community(services, members=2)
    survey = await services.surveys.create(kim, from_yaml(SPEC))
    survey = await services.surveys.set_closing(kim, survey.id, 7)  # Seoul midnight, 10 March
    clock.advance(survey.closes_at - timedelta(minutes=59) - clock.now())
    for _ in range(2):  # within the hour, then days after
        with pytest.raises(DomainError) as raised:
            await services.surveys.send(kim, survey.id, render)
        assert raised.value.code == "survey_closes_soon"
        assert (await services.surveys.get(kim, survey.id)).status == "draft"
        clock.advance(timedelta(days=3))
    survey = await services.surveys.set_closing(kim, survey.id, 7)
    assert await services.surveys.send(kim, survey.id, render) == 2


async def test_a_closing_day_chosen_first_never_shrinks_the_survey(services, clock):
    """"Closes in 7 days" and then an opening day six days on would leave it open hours; a
    closing day written in the file is no span to keep either: both are cleared, to be
    chosen again from the opening day."""
    kim, _lee = await seed_community(services, members=2)
    survey = await services.surveys.create(kim, from_yaml(SPEC))
    await services.surveys.set_closing(kim, survey.id, 7)
    survey = await services.surveys.set_opening(kim, survey.id, date(2026, 3, 9))
    assert survey.closes_at is None
    dated = await services.surveys.create(kim, from_yaml(SPEC + "closes: 2026-03-20\n"))
    dated = await services.surveys.set_opening(kim, dated.id, date(2026, 3, 19))
    assert dated.closes_at is None


async def test_a_files_closing_day_is_cleared_whatever_its_span(services, clock):
    """A file's `opens` 5 March and `closes` 12 March (a week, as "7 days after it opens"
    would set it) or 15 March: a new opening day clears either, never moving the closing day
    the coordinator wrote."""
    kim, _lee = await seed_community(services, members=2)
    for closes in ("2026-03-12", "2026-03-15"):
        survey = await services.surveys.create(
            kim, from_yaml(SPEC + f"opens: 2026-03-05\ncloses: {closes}\n"))
        assert survey.closes_at is not None
        survey = await services.surveys.set_opening(kim, survey.id, date(2026, 3, 19))
        assert survey.closes_at is None, closes
