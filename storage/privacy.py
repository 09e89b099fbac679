"""SQL for privacy: consents, leaving, settling, erasing, and a member's own data."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row

# ----- consent ----------------------------------------------------------------------------


async def record_consent(conn: Connection, *, person_id: int, community_id: int,
                         membership_id: int, version: str, now: str) -> None:
    await conn.execute(
        "INSERT INTO consents (person_id, community_id, membership_id, notice_version,"
        " accepted_at) VALUES (?, ?, ?, ?, ?)",
        (person_id, community_id, membership_id, version, now),
    )


# ----- leaving ----------------------------------------------------------------------------


async def open_requests(conn: Connection, membership_id: int) -> list[Row]:
    """Pending requests either way (charges and pay previews)."""
    return await fetch_all(
        conn,
        "SELECT id FROM trade_requests WHERE status = 'pending'"
        " AND (payer_membership_id = ? OR payee_membership_id = ?) ORDER BY id",
        (membership_id, membership_id),
    )


async def signups_ahead(conn: Connection, membership_id: int, now: str) -> list[Row]:
    """Live sign-ups (and waiting-list places) for scheduled events that have not started,
    with the event's columns and the sign-up's own."""
    return await fetch_all(
        conn,
        "SELECT e.*, s.id AS signup_id, s.status AS signup_status, s.fee_transfer_id,"
        " s.refund_transfer_id FROM event_signups s JOIN events e ON e.id = s.event_id"
        " WHERE s.membership_id = ? AND s.status IN ('signed', 'waiting')"
        " AND e.status = 'scheduled' AND e.starts_at > ? ORDER BY e.starts_at, e.id",
        (membership_id, now),
    )


async def close_open_posts(conn: Connection, membership_id: int) -> int:
    cursor = await conn.execute(
        "UPDATE posts SET status = 'closed' WHERE author_membership_id = ? AND status = 'open'",
        (membership_id,),
    )
    return cursor.rowcount


async def set_left(conn: Connection, membership_id: int, now: str) -> bool:
    """Guarded: only an active or suspended membership ends, and only once."""
    cursor = await conn.execute(
        "UPDATE memberships SET status = 'left', left_at = ? WHERE id = ?"
        " AND status IN ('active', 'suspended')",
        (now, membership_id),
    )
    return cursor.rowcount == 1


async def other_active_community(conn: Connection, person_id: int, community_id: int
                                 ) -> int | None:
    row = await fetch_one(
        conn,
        "SELECT community_id FROM memberships WHERE person_id = ? AND community_id <> ?"
        " AND status = 'active' ORDER BY id LIMIT 1",
        (person_id, community_id),
    )
    return row[0] if row else None


async def clear_current_community(conn: Connection, person_id: int) -> None:
    await conn.execute("UPDATE people SET current_community_id = NULL WHERE id = ?",
                       (person_id,))


async def active_coordinator_count(conn: Connection, community_id: int) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM memberships WHERE community_id = ? AND role = 'coordinator'"
        " AND status = 'active'",
        (community_id,),
    )
    return int(row[0])


# ----- erasing ----------------------------------------------------------------------------


async def insert_erasure(conn: Connection, *, community_id: int, membership_id: int,
                         person_id: int, reason: str, now: str) -> int:
    inserted = await fetch_one(
        conn,
        "INSERT INTO erasure_requests (community_id, membership_id, requested_by_person_id,"
        " reason, created_at) VALUES (?, ?, ?, ?, ?)"
        " RETURNING id",
        (community_id, membership_id, person_id, reason, now),
    )
    return int(inserted[0])


async def get_erasure(conn: Connection, request_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM erasure_requests WHERE id = ?", (request_id,))


async def close_erasure(conn: Connection, request_id: int, status: str, now: str) -> bool:
    cursor = await conn.execute(
        "UPDATE erasure_requests SET status = ?, decided_at = ? WHERE id = ?"
        " AND status = 'pending'",
        (status, now, request_id),
    )
    return cursor.rowcount == 1


async def memberships_still_open(conn: Connection, person_id: int) -> int:
    """Memberships of the person that are not over (active, suspended or applied)."""
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM memberships WHERE person_id = ?"
        " AND status IN ('active', 'suspended', 'pending')",
        (person_id,),
    )
    return int(row[0])


async def erase_person(conn: Connection, person_id: int, now: str) -> bool:
    """Blank the name and username and forget every channel identity, so the person can no
    longer be reached or recognised; guarded so it happens once."""
    cursor = await conn.execute(
        "UPDATE people SET display_name = '', username = NULL, erased_at = ?,"
        " current_community_id = NULL WHERE id = ? AND erased_at IS NULL",
        (now, person_id),
    )
    if cursor.rowcount != 1:
        return False
    await conn.execute("DELETE FROM identities WHERE person_id = ?", (person_id,))
    await conn.execute("DELETE FROM dialogs WHERE person_id = ?", (person_id,))
    return True


async def erase_posts(conn: Connection, person_id: int) -> int:
    """Posts stay (trades refer to them) but lose their words and photo, and close."""
    cursor = await conn.execute(
        "UPDATE posts SET title = '', description = '', photo_file_id = NULL,"
        " status = 'closed' WHERE author_membership_id IN"
        " (SELECT id FROM memberships WHERE person_id = ?)",
        (person_id,),
    )
    return cursor.rowcount


async def forget_addresses(conn: Connection, person_id: int, now: str) -> None:
    """Outbox rows kept for notice reports no longer hold the person's chat id; those not
    yet sent are never sent. Pending reminders to them are dropped. What the KakaoTalk
    channel keeps under their user key (button tokens, which name the actions they tapped —
    a survey answer among them — and unshown news) goes."""
    for table in ("kakao_tokens", "kakao_news"):
        await conn.execute(
            f"DELETE FROM {table} WHERE user_key IN (SELECT external_id FROM identities"
            " WHERE person_id = ? AND channel = 'kakao')",
            (person_id,),
        )
    await conn.execute(
        "UPDATE outbox SET chat_id = 'erased:' || id, updated_at = ?,"
        " state = CASE WHEN state = 'pending' THEN 'unreachable' ELSE state END,"
        " last_error = CASE WHEN state = 'pending' THEN 'erased' ELSE last_error END"
        " WHERE membership_id IN (SELECT id FROM memberships WHERE person_id = ?)",
        (now, person_id),
    )
    await conn.execute(
        "UPDATE reminders SET state = 'dropped', updated_at = ? WHERE state = 'pending'"
        " AND membership_id IN (SELECT id FROM memberships WHERE person_id = ?)",
        (now, person_id),
    )


# ----- a member's own data ----------------------------------------------------------------


async def person(conn: Connection, person_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM people WHERE id = ?", (person_id,))


async def identities(conn: Connection, person_id: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT channel, external_id, created_at FROM identities WHERE person_id = ?"
        " ORDER BY created_at, channel",
        (person_id,),
    )


async def memberships(conn: Connection, person_id: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT m.id, m.number, m.role, m.status, m.created_at, m.decided_at, m.left_at,"
        " c.code, c.name, c.unit, a.balance,"
        " (SELECT k.notice_version FROM consents k WHERE k.membership_id = m.id"
        "  ORDER BY k.id DESC LIMIT 1) AS consent_version,"
        " (SELECT k.accepted_at FROM consents k WHERE k.membership_id = m.id"
        "  ORDER BY k.id DESC LIMIT 1) AS consent_at"
        " FROM memberships m JOIN communities c ON c.id = m.community_id"
        " LEFT JOIN accounts a ON a.membership_id = m.id WHERE m.person_id = ? ORDER BY m.id",
        (person_id,),
    )


async def trades(conn: Connection, person_id: int, limit: int) -> list[Row]:
    """Every movement on the person's accounts, oldest first, with both sides of the
    transfer (number and stored name; the community account has neither)."""
    return await fetch_all(
        conn,
        "SELECT t.id, t.created_at, t.kind, t.purpose, t.amount, t.memo, t.reason,"
        " t.reverses_id, c.code AS community_code, c.unit, mv.amount AS signed_amount,"
        " pm.number AS payer_number, pp.display_name AS payer_name,"
        " ym.number AS payee_number, yp.display_name AS payee_name"
        " FROM memberships me JOIN accounts a ON a.membership_id = me.id"
        " JOIN movements mv ON mv.account_id = a.id JOIN transfers t ON t.id = mv.transfer_id"
        " JOIN communities c ON c.id = t.community_id"
        " JOIN accounts pa ON pa.id = t.payer_account_id"
        " JOIN accounts ya ON ya.id = t.payee_account_id"
        " LEFT JOIN memberships pm ON pm.id = pa.membership_id"
        " LEFT JOIN people pp ON pp.id = pm.person_id"
        " LEFT JOIN memberships ym ON ym.id = ya.membership_id"
        " LEFT JOIN people yp ON yp.id = ym.person_id"
        " WHERE me.person_id = ? ORDER BY t.id LIMIT ?",
        (person_id, limit),
    )


async def posts(conn: Connection, person_id: int, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT po.id, po.created_at, po.kind, po.category, po.title, po.description,"
        " po.price, po.status, po.expires_at, c.code AS community_code"
        " FROM posts po JOIN memberships m ON m.id = po.author_membership_id"
        " JOIN communities c ON c.id = po.community_id WHERE m.person_id = ?"
        " ORDER BY po.id LIMIT ?",
        (person_id, limit),
    )


async def signups(conn: Connection, person_id: int, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT e.id AS event_id, e.kind, e.title, e.starts_at, e.place, e.status AS event_status,"
        " s.status, s.created_at, s.attended_at, c.code AS community_code"
        " FROM event_signups s JOIN memberships m ON m.id = s.membership_id"
        " JOIN events e ON e.id = s.event_id JOIN communities c ON c.id = m.community_id"
        " WHERE m.person_id = ? ORDER BY e.starts_at, e.id LIMIT ?",
        (person_id, limit),
    )


# A member's survey invitations, and the answers still tied to them: every answer of a named
# survey, and of an anonymous one only while they have not finished it (finishing, or the
# survey closing, cuts the tie: from then on nothing says the answers were theirs).
_SURVEY_INVITES = (
    " FROM survey_invites i JOIN memberships m ON m.id = i.membership_id"
    " JOIN surveys s ON s.id = i.survey_id JOIN communities c ON c.id = s.community_id"
    " WHERE m.person_id = ?")
_SURVEY_ANSWERS = (
    " FROM survey_invites i JOIN memberships m ON m.id = i.membership_id"
    " JOIN surveys s ON s.id = i.survey_id JOIN communities c ON c.id = s.community_id"
    " JOIN survey_answers a ON a.response_id = i.response_id"
    " JOIN survey_questions q ON q.id = a.question_id WHERE m.person_id = ?")


async def survey_invites(conn: Connection, person_id: int, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT s.id AS survey_id, s.title, s.anonymous, s.status AS survey_status,"
        " c.code AS community_code, i.state, i.invited_at, i.reminded_at"
        + _SURVEY_INVITES + " ORDER BY s.id LIMIT ?",
        (person_id, limit),
    )


async def survey_answers(conn: Connection, person_id: int, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT s.id AS survey_id, s.title, c.code AS community_code, q.position, q.kind,"
        " q.text AS question, q.options, a.value, a.choices, a.text, a.skipped, a.answered_at"
        + _SURVEY_ANSWERS + " ORDER BY s.id, q.position LIMIT ?",
        (person_id, limit),
    )


async def erase_survey_answers(conn: Connection, person_id: int) -> int:
    """A former member's answers stay in their surveys' counts but name no one: the tie to
    their invitations is cut and free-text answers lose their words (like their posts).
    Returns how many responses were untied."""
    where = (" WHERE response_id IS NOT NULL AND membership_id IN"
             " (SELECT id FROM memberships WHERE person_id = ?)")
    await conn.execute(
        "UPDATE survey_answers SET text = NULL WHERE text IS NOT NULL AND response_id IN"
        " (SELECT response_id FROM survey_invites" + where + ")",
        (person_id,),
    )
    cursor = await conn.execute("UPDATE survey_invites SET response_id = NULL" + where,
                                (person_id,))
    return cursor.rowcount


async def count_of(conn: Connection, what: str, person_id: int) -> int:
    """How many rows `trades`, `posts`, `signups`, `surveys` or `survey_answers` would give
    without a limit."""
    sql = {
        "trades": "SELECT COUNT(*) FROM memberships me JOIN accounts a ON a.membership_id = me.id"
                  " JOIN movements mv ON mv.account_id = a.id WHERE me.person_id = ?",
        "posts": "SELECT COUNT(*) FROM posts po JOIN memberships m"
                 " ON m.id = po.author_membership_id WHERE m.person_id = ?",
        "signups": "SELECT COUNT(*) FROM event_signups s JOIN memberships m"
                   " ON m.id = s.membership_id WHERE m.person_id = ?",
        "surveys": "SELECT COUNT(*)" + _SURVEY_INVITES,
        "survey_answers": "SELECT COUNT(*)" + _SURVEY_ANSWERS,
    }[what]
    row = await fetch_one(conn, sql, (person_id,))
    return int(row[0])
