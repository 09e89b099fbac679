"""SQL for survey responses and answers. An answer is written once: its primary key is
(response, question), so a double tap or a replayed update inserts nothing the second time."""

from __future__ import annotations

import json

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row


async def start(conn: Connection, survey_id: int, now: str) -> int:
    inserted = await fetch_one(
        conn,
        "INSERT INTO survey_responses (survey_id, started_at) VALUES (?, ?)"
        " RETURNING id",
        (survey_id, now),
    )
    return int(inserted[0])


async def get(conn: Connection, response_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM survey_responses WHERE id = ?", (response_id,))


async def answered(conn: Connection, response_id: int) -> set[int]:
    rows = await fetch_all(
        conn, "SELECT question_id FROM survey_answers WHERE response_id = ?", (response_id,))
    return {row[0] for row in rows}


async def add(conn: Connection, response_id: int, question_id: int, *, value: int | None = None,
              choices: list[int] | None = None, text: str | None = None, skipped: bool = False,
              now: str) -> bool:
    """True if this answer was recorded now; False if the question was already answered."""
    cursor = await conn.execute(
        "INSERT INTO survey_answers (response_id, question_id, value, choices, text, skipped,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (response_id, question_id) DO NOTHING",
        (response_id, question_id, value,
         json.dumps(choices) if choices is not None else None, text, int(skipped), now))
    return cursor.rowcount == 1


async def set_picks(conn: Connection, response_id: int, question_id: int, picks: list[int]
                    ) -> None:
    await conn.execute(
        "UPDATE survey_responses SET picks_question_id = ?, picks = ? WHERE id = ?",
        (question_id, json.dumps(sorted(set(picks))), response_id))


async def finish(conn: Connection, response_id: int, now: str) -> bool:
    cursor = await conn.execute(
        "UPDATE survey_responses SET finished_at = ?, picks = '[]', picks_question_id = NULL"
        " WHERE id = ? AND finished_at IS NULL", (now, response_id))
    return cursor.rowcount == 1


async def of_survey(conn: Connection, survey_id: int) -> list[Row]:
    """Every recorded answer with, for a named survey, who gave it (an anonymous finished
    response has no invitation pointing at it any more)."""
    return await fetch_all(
        conn,
        "SELECT a.*, r.finished_at, p.display_name AS name, m.number AS number"
        " FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id"
        " LEFT JOIN survey_invites i ON i.response_id = r.id"
        " LEFT JOIN memberships m ON m.id = i.membership_id"
        " LEFT JOIN people p ON p.id = m.person_id"
        " WHERE r.survey_id = ? ORDER BY a.question_id, a.answered_at, a.response_id",
        (survey_id,))


async def response_count(conn: Connection, survey_id: int) -> tuple[int, int]:
    """(responses started, responses finished)."""
    row = await fetch_one(
        conn, "SELECT COUNT(*), COUNT(finished_at) FROM survey_responses WHERE survey_id = ?",
        (survey_id,))
    return (row[0], row[1]) if row else (0, 0)


def _button_actions(survey_id: int) -> list[str]:
    """LIKE patterns of every button action of the survey (conversation/survey_text.py)."""
    return [f"svy:{kind}:{survey_id}:%" for kind in ("v", "p", "d", "s")] + [
        f"svy:x:{survey_id}", f"svy:go:{survey_id}"]


async def forget_buttons(conn: Connection, survey_id: int, person_id: int | None) -> None:
    """Delete the KakaoTalk tokens of the survey's buttons shown to the person (None: to
    anyone). A token names the Kakao user it was shown to and its action ("svy:v:5:12:4" is
    4 on the scale of question 12), and a tapped one is marked used: kept, it would say who
    gave an anonymous answer. A tap on a deleted token is answered as an old button."""
    matches = " OR ".join(["action LIKE ?"] * len(_button_actions(survey_id)))
    sql = f"DELETE FROM kakao_tokens WHERE ({matches})"
    params: list[object] = list(_button_actions(survey_id))
    if person_id is not None:
        sql += (" AND user_key IN (SELECT external_id FROM identities WHERE person_id = ?"
                " AND channel = 'kakao')")
        params.append(person_id)
    await conn.execute(sql, params)


async def blur_times(conn: Connection, survey_id: int, moment: str,
                     response_id: int | None = None) -> None:
    """An anonymous response keeps no clock of its own: its start, finish and every answer
    become `moment` (the survey's sending), so no time in it can be matched against
    anything else a member did then. One response, or (None) all of the survey's."""
    only = " AND id = ?" if response_id is not None else ""
    params: list[object] = [survey_id] + ([response_id] if response_id is not None else [])
    await conn.execute(
        "UPDATE survey_responses SET started_at = ?, finished_at = CASE WHEN finished_at"
        " IS NULL THEN NULL ELSE CAST(? AS TEXT) END WHERE survey_id = ?" + only,
        [moment, moment, *params])
    await conn.execute(
        "UPDATE survey_answers SET answered_at = ? WHERE response_id IN"
        " (SELECT id FROM survey_responses WHERE survey_id = ?" + only + ")",
        [moment, *params])
