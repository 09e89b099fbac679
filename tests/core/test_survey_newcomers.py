"""Newcomers to a community with an open survey (core/survey_newcomers.py): invited once when
they are in its audience, reminded no sooner than everyone else, not messaged when they
muted notices, and never asked by a survey for inactive members."""

from __future__ import annotations

from datetime import timedelta

from core.survey_spec import from_yaml
from storage.db import fetch_all
from tests.core.test_surveys import render
from tests.support import seed_community

SPEC = """
title: 열린 설문
anonymous: false
audience: {audience}
audience_days: 30
closes: 2026-03-20
questions:
  - kind: scale
    text: 만족하세요?
"""


async def rows(services, sql: str, params=()) -> list[tuple]:
    async with services.db.read() as conn:
        return [tuple(row) for row in await fetch_all(conn, sql, params)]


async def newcomer(services, user_id: int):
    actor = await services.people.resolve("telegram", str(user_id), f"회원{user_id}")
    result = await services.membership.join(actor, "mapo")
    return result, await services.people.reload(actor.person.id)


async def test_a_newcomer_is_invited_to_open_surveys_of_their_audience(services, clock):
    kim, lee = await seed_community(services, members=2)
    sent = {}
    for audience in ("all", "inactive", "coordinators"):
        survey = await services.surveys.create(kim, from_yaml(SPEC.format(audience=audience)))
        await services.surveys.send(kim, survey.id, render)
        sent[audience] = survey
    outbox = await rows(services, "SELECT COUNT(*) FROM outbox")

    result, park = await newcomer(services, 103)
    assert result.status == "active" and result.surveys == 1
    assert [s.id for s in await services.survey_answers.waiting(park)] == [sent["all"].id]
    assert await rows(services, "SELECT COUNT(*) FROM outbox") == [(outbox[0][0] + 1,)]
    assert await rows(services, "SELECT o.chat_id FROM outbox o JOIN surveys s"
                                " ON s.notice_id = o.notice_id WHERE s.id = ? ORDER BY o.id",
                      (sent["all"].id,)) == [("101",), ("102",), ("103",)]
    progress = await services.survey_answers.begin(park, sent["all"].id)
    done = await services.survey_answers.answer(park, sent["all"].id, progress.question.id,
                                                value=5)
    assert done.finished


async def test_a_late_newcomer_counts_as_reminded_and_a_muted_one_is_not_messaged(
        services, clock):
    kim, lee = await seed_community(services, members=2)
    survey = await services.surveys.create(kim, from_yaml(SPEC.format(audience="all")))
    await services.surveys.send(kim, survey.id, render)
    clock.advance(timedelta(days=18, hours=1))  # past the reminder moment, before it closes
    reminded = await services.surveys.take_due_reminders()
    assert [r.member.number for r in reminded] == [1, 2]

    _, park = await newcomer(services, 103)
    assert await services.surveys.take_due_reminders() == []  # the invitation was enough

    quiet = await services.people.resolve("telegram", "104", "회원104")
    await services.membership.join(quiet, "mapo")
    quiet = await services.people.reload(quiet.person.id)
    await services.notices.set_muted(quiet, True)
    async with services.db.write() as conn:  # muted, then left and came back
        await conn.execute("DELETE FROM survey_invites WHERE membership_id = ?",
                           (quiet.membership.id,))
        await conn.execute("DELETE FROM outbox WHERE chat_id = '104'")
        await conn.execute("UPDATE memberships SET status = 'left' WHERE id = ?",
                           (quiet.membership.id,))
    result, quiet = await newcomer(services, 104)
    assert result.surveys == 1
    assert [s.id for s in await services.survey_answers.waiting(quiet)] == [survey.id]
    assert await rows(services, "SELECT COUNT(*) FROM outbox WHERE chat_id = '104'") == [(0,)]
