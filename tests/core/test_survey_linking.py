"""Linking two people (core/linking.py) carries their surveys along: invitations and
responses hang on memberships, which move to the survivor, and since two people in the same
community are never linked, no member ends up with two responses to one survey."""

from __future__ import annotations

from core.survey_spec import from_yaml
from storage.db import fetch_all
from tests.core.test_surveys import SPEC, render
from tests.support import seed_community

NAMED = SPEC.replace("anonymous: true", "anonymous: false")


async def rows(services, sql: str, params=()) -> list[tuple]:
    async with services.db.read() as conn:
        return [tuple(row) for row in await fetch_all(conn, sql, params)]


async def test_a_linked_person_resumes_both_surveys_where_each_side_left_them(services):
    kim, lee, _ = await seed_community(services)
    gangnam_first, _ = await seed_community(services, "gangnam", members=2, first_user_id=201)
    kakao = await services.people.resolve("kakao", "bk-lee", "카카오 회원 1")
    await services.membership.join(kakao, "gangnam")
    kakao = await services.people.reload(kakao.person.id)
    in_mapo = await services.surveys.create(kim, from_yaml(NAMED))
    in_gangnam = await services.surveys.create(gangnam_first, from_yaml(SPEC))  # anonymous
    await services.surveys.send(kim, in_mapo.id, render)
    await services.surveys.send(gangnam_first, in_gangnam.id, render)
    first = await services.survey_answers.begin(lee, in_mapo.id)
    await services.survey_answers.answer(lee, in_mapo.id, first.question.id, value=4)
    first = await services.survey_answers.begin(kakao, in_gangnam.id)
    await services.survey_answers.answer(kakao, in_gangnam.id, first.question.id, value=2)

    code = await services.linking.new_code(kakao.person.id, "kakao", "bk-lee")
    assert (await services.linking.link("telegram", "102", code.code)).linked
    one = await services.people.reload(lee.person.id)

    waiting = await services.survey_answers.waiting(one)
    assert [survey.id for survey in waiting] == [in_mapo.id, in_gangnam.id]
    mapo_progress = await services.survey_answers.begin(one, in_mapo.id)
    gangnam_progress = await services.survey_answers.begin(one, in_gangnam.id)
    assert (mapo_progress.answered, gangnam_progress.answered) == (1, 1)  # nothing restarted
    assert await rows(services, "SELECT COUNT(*) FROM survey_responses") == [(2,)]
    mine = await services.privacy.my_data(one)
    assert sorted((r["survey_id"], r["value"]) for r in mine.survey_answers) == [
        (in_mapo.id, 4), (in_gangnam.id, 2)]

    # The absorbed person's side answers on as the survivor, once.
    q = gangnam_progress.question
    again = await services.survey_answers.answer(one, in_gangnam.id, q.id, value=1)
    assert again.recorded and again.answered == 2
    twice = await services.survey_answers.answer(one, in_gangnam.id, q.id, value=0)
    assert not twice.recorded and twice.answered == 2
    assert await rows(services, "SELECT survey_id, COUNT(*) FROM survey_invites i"
                                " JOIN memberships m ON m.id = i.membership_id"
                                " WHERE m.person_id = ? GROUP BY survey_id ORDER BY survey_id",
                      (one.person.id,)) == [(in_mapo.id, 1), (in_gangnam.id, 1)]


async def test_two_people_with_answers_to_the_same_survey_are_not_linked(services):
    kim, lee, _ = await seed_community(services)
    kakao = await services.people.resolve("kakao", "bk-lee", "카카오 회원 1")
    await services.membership.join(kakao, "mapo")
    kakao = await services.people.reload(kakao.person.id)
    survey = await services.surveys.create(kim, from_yaml(NAMED))
    await services.surveys.send(kim, survey.id, render)
    for actor, value in ((lee, 4), (kakao, 2)):
        first = await services.survey_answers.begin(actor, survey.id)
        await services.survey_answers.answer(actor, survey.id, first.question.id, value=value)

    code = await services.linking.new_code(kakao.person.id, "kakao", "bk-lee")
    result = await services.linking.link("telegram", "102", code.code)

    assert result.status == "conflict"
    for actor, value in ((lee, 4), (kakao, 2)):
        data = await services.privacy.my_data(actor)
        assert [row["value"] for row in data.survey_answers] == [value]
        again = await services.survey_answers.answer(actor, survey.id, first.question.id,
                                                     value=5)
        assert not again.recorded and again.answered == 1  # their own response, once
    assert await rows(services, "SELECT COUNT(*) FROM survey_responses") == [(2,)]
