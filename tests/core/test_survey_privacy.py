"""Surveys and personal data: a member's named answers are in /mydata, an erased former
member's answers stay counted but name no one, and a finished anonymous response leaves
nothing that leads back to who gave it."""

from __future__ import annotations

import csv
import io
import zipfile

from conversation import personal_data
from conversation.i18n import translator
from core.survey_spec import from_yaml
from storage.db import fetch_all, fetch_one
from tests.core.test_surveys import SPEC, answer_all, render
from tests.support import seed_community

NAMED = SPEC.replace("anonymous: true", "anonymous: false").replace("작은 설문", "이름 설문")


async def rows(services, sql: str, params=()) -> list[tuple]:
    async with services.db.read() as conn:
        return [tuple(row) for row in await fetch_all(conn, sql, params)]


def sheets(data) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(personal_data.zip_file(translator("ko"), data))) as zipped:
        return {name: list(csv.reader(io.StringIO(zipped.read(name).decode("utf-8-sig"))))
                for name in zipped.namelist()}


async def test_mydata_holds_named_answers_and_not_anonymous_ones(services):
    kim, lee, park = await seed_community(services, members=3)
    named = await services.surveys.create(kim, from_yaml(NAMED))
    anonymous = await services.surveys.create(kim, from_yaml(SPEC))
    for survey in (named, anonymous):
        await services.surveys.send(kim, survey.id, render)
    await answer_all(services, lee, named, 4, 2, [0, 2], "이웃이 좋아요")
    await answer_all(services, lee, anonymous, 1, 0, [1], "익명으로 한 말")
    await answer_all(services, park, named, 5, 0, [1], "박민지의 말")

    data = await services.privacy.my_data(lee)
    assert [row["survey_id"] for row in data.surveys] == [named.id, anonymous.id]
    assert {row["state"] for row in data.surveys} == {"finished"}
    assert [row["survey_id"] for row in data.survey_answers] == [named.id] * 4
    assert data.totals["surveys"] == 2 and data.totals["survey_answers"] == 4

    files = sheets(data)
    answers = files["survey_answers.csv"][1:]
    assert [row[5] for row in answers] == ["4", "2명 이상", "이웃, 나눔", "이웃이 좋아요"]
    assert [row[4] for row in answers][:2] == ["이웃을 믿어요?", "몇 명?"]
    invited = files["surveys.csv"][1:]
    assert [(row[2], row[3], row[7]) for row in invited] == [
        ("이름 설문", "아니요", "다 답함"), ("작은 설문", "네", "다 답함")]
    everything = "\n".join(",".join(row) for table in files.values() for row in table)
    for other in ("익명으로 한 말", "박민지의 말"):
        assert other not in everything, other


async def test_mydata_shows_an_unfinished_anonymous_response_while_it_is_theirs(services):
    kim, lee, _ = await seed_community(services, members=3)
    survey = await services.surveys.create(kim, from_yaml(SPEC))
    await services.surveys.send(kim, survey.id, render)
    progress = await services.survey_answers.begin(lee, survey.id)
    await services.survey_answers.answer(lee, survey.id, progress.question.id, value=3)
    data = await services.privacy.my_data(lee)
    assert [(row["survey_id"], row["value"]) for row in data.survey_answers] == [(survey.id, 3)]
    await services.surveys.close(kim, survey.id)
    data = await services.privacy.my_data(lee)
    assert data.survey_answers == [] and [row["state"] for row in data.surveys] == ["started"]


async def test_erasure_unties_named_answers_and_keeps_the_counts(services):
    kim, lee, park = await seed_community(services, members=3)
    survey = await services.surveys.create(kim, from_yaml(NAMED))
    await services.surveys.send(kim, survey.id, render)
    await answer_all(services, lee, survey, 2, 1, [0], "이철수가 쓴 말")
    await answer_all(services, park, survey, 5, 0, [1], "박민지의 말")
    await services.surveys.close(kim, survey.id)
    before = await services.survey_results.results(survey)
    assert ("회원102 #2", "이철수가 쓴 말") in before.questions[3].texts

    async with services.db.write() as conn:  # 이철수 answered on KakaoTalk too
        await conn.execute("INSERT INTO identities (channel, external_id, person_id,"
                           " created_at) VALUES ('kakao', 'k-lee', ?, '2026-01-01')",
                           (lee.person.id,))
        for table, values in (("kakao_tokens", "'t1', 'k-lee', 'svy:v:1:1:2', NULL, '', '', NULL"),
                              ("kakao_tokens", "'t2', 'k-park', 'svy:v:1:1:5', NULL, '', '', NULL"),
                              ("kakao_news", "1, 'k-lee', '설문', '[]', '', NULL")):
            await conn.execute(f"INSERT INTO {table} VALUES ({values})")
    await services.privacy.leave(lee, lee.membership.id)
    preview = await services.privacy.prepare_erasure(kim, 2, "본인이 전화로 요청")
    await services.privacy.confirm_erasure(kim, preview.request_id)

    after = await services.survey_results.results(survey)
    assert (after.invited, after.started, after.finished) == (
        before.invited, before.started, before.finished)
    for was, now in zip(before.questions, after.questions, strict=True):
        assert (now.answers, now.skipped, now.counts, now.mean) == (
            was.answers, was.skipped, was.counts, was.mean)
    assert after.questions[3].texts == (("회원103 #3", "박민지의 말"),)
    assert await rows(services, "SELECT response_id FROM survey_invites i JOIN memberships m"
                                " ON m.id = i.membership_id WHERE m.number = 2") == [(None,)]
    assert await rows(services, "SELECT user_key FROM kakao_tokens") == [("k-park",)]
    assert await rows(services, "SELECT * FROM kakao_news") == []
    texts = await rows(services, "SELECT text FROM survey_answers WHERE text IS NOT NULL")
    assert texts == [("박민지의 말",)]
    async with services.db.read() as conn:
        audit = await fetch_one(conn, "SELECT details FROM audit_log"
                                      " WHERE action = 'member_erase'")
    assert '"survey_responses_untied": 1' in audit[0]
