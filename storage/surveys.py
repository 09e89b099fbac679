"""SQL for surveys, their questions and invitations (answers: storage/survey_answers.py)."""

from __future__ import annotations

import json

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row


async def insert_survey(conn: Connection, values: dict) -> int:
    columns = list(values)
    inserted = await fetch_one(
        conn,
        f"INSERT INTO surveys ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        " RETURNING id",
        [values[c] for c in columns],
    )
    return int(inserted[0])


async def insert_questions(conn: Connection, survey_id: int, questions) -> None:
    await conn.executemany(
        "INSERT INTO survey_questions (survey_id, position, kind, text, options, optional, key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(survey_id, position, q.kind, q.text, json.dumps(list(q.options), ensure_ascii=False),
          int(q.optional), q.key) for position, q in enumerate(questions, start=1)],
    )


async def get(conn: Connection, survey_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM surveys WHERE id = ?", (survey_id,))


async def unsent_of_template(conn: Connection, community_id: int, template: str) -> int | None:
    """The community's latest survey from this template not yet sent, if any."""
    row = await fetch_one(
        conn, "SELECT id FROM surveys WHERE community_id = ? AND template = ?"
        " AND status IN ('draft', 'scheduled') ORDER BY id DESC LIMIT 1",
        (community_id, template))
    return int(row[0]) if row is not None else None


async def questions(conn: Connection, survey_id: int) -> list[Row]:
    return await fetch_all(
        conn, "SELECT * FROM survey_questions WHERE survey_id = ? ORDER BY position",
        (survey_id,))


async def of_community(conn: Connection, community_id: int, limit: int) -> list[Row]:
    return await fetch_all(
        conn, "SELECT * FROM surveys WHERE community_id = ? ORDER BY id DESC LIMIT ?",
        (community_id, limit))


async def move(conn: Connection, survey_id: int, from_states: tuple[str, ...], to_state: str,
               **fields: str | int | None) -> bool:
    """Change the status only from one of `from_states`: of two coordinators (or a coordinator
    and the sweep) sending the same survey at once, one does it."""
    sets = ", ".join(["status = ?"] + [f"{name} = ?" for name in fields])
    cursor = await conn.execute(
        f"UPDATE surveys SET {sets} WHERE id = ?"
        f" AND status IN ({', '.join('?' * len(from_states))})",
        [to_state, *fields.values(), survey_id, *from_states])
    return cursor.rowcount == 1


async def due_to_open(conn: Connection, now: str) -> list[int]:
    rows = await fetch_all(
        conn, "SELECT id FROM surveys WHERE status = 'scheduled' AND opens_at <= ? ORDER BY id",
        (now,))
    return [row[0] for row in rows]


async def due_to_close(conn: Connection, now: str) -> list[int]:
    rows = await fetch_all(
        conn, "SELECT id FROM surveys WHERE status = 'open' AND closes_at <= ? ORDER BY id",
        (now,))
    return [row[0] for row in rows]


async def add_invites(conn: Connection, survey_id: int, membership_ids: list[int], now: str
                      ) -> None:
    await conn.executemany(
        "INSERT INTO survey_invites (survey_id, membership_id, invited_at)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [(survey_id, m, now) for m in membership_ids])


async def add_invite(conn: Connection, survey_id: int, membership_id: int, now: str, *,
                     reminded_at: str | None) -> bool:
    """One invitation, once: False if the member was invited before."""
    cursor = await conn.execute(
        "INSERT INTO survey_invites (survey_id, membership_id, invited_at, reminded_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (survey_id, membership_id) DO NOTHING",
        (survey_id, membership_id, now, reminded_at))
    return cursor.rowcount == 1


async def open_of_community(conn: Connection, community_id: int, now: str
                            ) -> list[Row]:
    """The community's surveys that are open and not past their closing moment."""
    return await fetch_all(
        conn, "SELECT * FROM surveys WHERE community_id = ? AND status = 'open'"
        " AND (closes_at IS NULL OR closes_at > ?) ORDER BY id", (community_id, now))


async def invite(conn: Connection, survey_id: int, membership_id: int) -> Row | None:
    return await fetch_one(
        conn, "SELECT * FROM survey_invites WHERE survey_id = ? AND membership_id = ?",
        (survey_id, membership_id))


async def open_for_person(conn: Connection, person_id: int) -> list[int]:
    """Open surveys this person was invited to (as an active member) and has not finished."""
    rows = await fetch_all(
        conn,
        "SELECT s.id FROM survey_invites i JOIN surveys s ON s.id = i.survey_id"
        " JOIN memberships m ON m.id = i.membership_id WHERE m.person_id = ?"
        " AND m.status = 'active' AND i.state != 'finished' AND s.status = 'open'"
        " ORDER BY s.id", (person_id,))
    return [row[0] for row in rows]


async def attach_response(conn: Connection, survey_id: int, membership_id: int,
                          response_id: int) -> bool:
    cursor = await conn.execute(
        "UPDATE survey_invites SET state = 'started', response_id = ? WHERE survey_id = ?"
        " AND membership_id = ? AND state = 'invited'", (response_id, survey_id, membership_id))
    return cursor.rowcount == 1


async def finish_invite(conn: Connection, survey_id: int, membership_id: int, response_id: int,
                        keep_link: bool) -> bool:
    """The member has answered everything. An anonymous survey forgets whose response it was."""
    cursor = await conn.execute(
        "UPDATE survey_invites SET state = 'finished', response_id = ? WHERE survey_id = ?"
        " AND membership_id = ? AND state = 'started' AND response_id = ?",
        (response_id if keep_link else None, survey_id, membership_id, response_id))
    return cursor.rowcount == 1


async def forget_who_answered(conn: Connection, survey_id: int) -> None:
    """An anonymous survey that closes cuts the tie of the responses left unfinished too."""
    await conn.execute(
        "UPDATE survey_invites SET response_id = NULL WHERE survey_id = ?"
        " AND response_id IS NOT NULL AND survey_id IN (SELECT id FROM surveys"
        " WHERE id = ? AND anonymous = 1)", (survey_id, survey_id))


async def reminders_due(conn: Connection, now: str, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT i.survey_id, i.membership_id FROM survey_invites i"
        " JOIN surveys s ON s.id = i.survey_id WHERE s.status = 'open' AND s.remind_at <= ?"
        " AND (s.closes_at IS NULL OR s.closes_at > ?) AND i.state != 'finished'"
        " AND i.reminded_at IS NULL ORDER BY i.survey_id, i.membership_id LIMIT ?",
        (now, now, limit))


async def mark_reminded(conn: Connection, survey_id: int, membership_id: int, now: str) -> bool:
    cursor = await conn.execute(
        "UPDATE survey_invites SET reminded_at = ? WHERE survey_id = ? AND membership_id = ?"
        " AND reminded_at IS NULL", (now, survey_id, membership_id))
    return cursor.rowcount == 1


async def invite_counts(conn: Connection, survey_id: int) -> dict[str, int]:
    rows = await fetch_all(
        conn, "SELECT state, COUNT(*) FROM survey_invites WHERE survey_id = ? GROUP BY state",
        (survey_id,))
    return {row[0]: row[1] for row in rows}


async def closed_between(conn: Connection, community_id: int | None, start: str, end: str
                         ) -> list[Row]:
    sql = ("SELECT * FROM surveys WHERE status = 'closed' AND closed_at >= ? AND closed_at < ?")
    params: list[object] = [start, end]
    if community_id is not None:
        sql += " AND community_id = ?"
        params.append(community_id)
    return await fetch_all(conn, sql + " ORDER BY community_id, closed_at, id", params)
