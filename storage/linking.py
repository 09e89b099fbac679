"""SQL for joining two people into one: one-time link codes, wrong tries, and the merge."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row

# Every column that names a person, and what a merge does with it (tests/storage/
# test_linking_schema.py fails when a migration adds one that is not listed here).
MOVED = (  # follows the person: the survivor owns it from now on
    ("identities", "person_id"),
    ("memberships", "person_id"),  # accounts hang on memberships: balances move untouched
    ("trade_requests", "created_by_person_id"),
    ("events", "created_by_person_id"),
    ("notices", "author_person_id"),  # the delivery report finds its author's membership
    ("group_links", "linked_by_person_id"),
    ("consents", "person_id"),  # a consent goes with the membership it led to, which moves
    ("erasure_requests", "requested_by_person_id"),  # pending: the survivor may confirm it
    ("surveys", "created_by_person_id"),  # a scheduled survey goes out in its author's name
)
DROPPED = (
    ("dialogs", "person_id"),  # the absorbed person's unfinished dialog ends
)
KEPT = (  # history as it was written: the absorbed row stays, pointing on via merged_into
    ("transfers", "created_by_person_id"),  # immutable
    ("audit_log", "actor_person_id"),  # an audit log is not rewritten
    ("link_codes", "person_id"),  # a used code is the record of the link
    ("experts", "recommended_by_person_id"),  # who recommended an expert, as it was
    ("stories", "selected_by_person_id"),  # who selected a story, as it was
    ("people", "merged_into"),
    # who registered or decided a shop, who refunded a payment: records, like the audit log
    # (a shop's staff hang on memberships, which move)
    ("organisations", "created_by_person_id"),
    ("organisations", "decided_by_person_id"),
    ("merchant_payments", "refunded_by_person_id"),
)


async def put_code(conn: Connection, *, person_id: int, code: str, channel: str,
                   external_id: str, now: str, expires_at: str) -> None:
    """The person's one live code; any earlier one (live or used) is replaced."""
    await conn.execute(
        "INSERT INTO link_codes (person_id, code, channel, external_id, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET code = excluded.code,"
        " channel = excluded.channel, external_id = excluded.external_id,"
        " created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL,"
        " used_by_channel = NULL, used_by_external_id = NULL",
        (person_id, code, channel, external_id, now, expires_at),
    )


async def live_code_taken(conn: Connection, code: str, now: str) -> bool:
    row = await fetch_one(
        conn, "SELECT 1 FROM link_codes WHERE code = ? AND used_at IS NULL AND expires_at > ?",
        (code, now),
    )
    return row is not None


async def find_code(conn: Connection, code: str, now: str) -> Row | None:
    """The row for a typed code: the live one if there is one, else the newest."""
    return await fetch_one(
        conn,
        "SELECT * FROM link_codes WHERE code = ?"
        " ORDER BY (used_at IS NULL AND expires_at > ?) DESC, created_at DESC LIMIT 1",
        (code, now),
    )


async def use_code(conn: Connection, person_id: int, code: str, *, channel: str,
                   external_id: str, now: str) -> bool:
    """Mark the code used, only if it still is live; False if it no longer is."""
    cursor = await conn.execute(
        "UPDATE link_codes SET used_at = ?, used_by_channel = ?, used_by_external_id = ?"
        " WHERE person_id = ? AND code = ? AND used_at IS NULL AND expires_at > ?",
        (now, channel, external_id, person_id, code, now),
    )
    return cursor.rowcount == 1


async def wrong_tries_since(conn: Connection, channel: str, external_id: str, since: str
                            ) -> list[str]:
    """When each counted try was made, oldest first."""
    rows = await fetch_all(
        conn,
        "SELECT tried_at FROM link_attempts WHERE channel = ? AND external_id = ?"
        " AND tried_at > ? ORDER BY tried_at",
        (channel, external_id, since),
    )
    return [row[0] for row in rows]


async def add_wrong_try(conn: Connection, channel: str, external_id: str, now: str,
                        forget_before: str) -> None:
    await conn.execute(
        "DELETE FROM link_attempts WHERE channel = ? AND external_id = ? AND tried_at <= ?",
        (channel, external_id, forget_before),
    )
    await conn.execute(
        "INSERT INTO link_attempts (channel, external_id, tried_at) VALUES (?, ?, ?)",
        (channel, external_id, now),
    )


async def channels_of(conn: Connection, person_id: int) -> list[str]:
    rows = await fetch_all(
        conn, "SELECT channel FROM identities WHERE person_id = ? ORDER BY created_at, channel",
        (person_id,),
    )
    return [row[0] for row in rows]


async def shared_communities(conn: Connection, first: int, second: int) -> list[str]:
    """Names of the communities where both people have a membership (of any status)."""
    rows = await fetch_all(
        conn,
        "SELECT c.name FROM memberships a JOIN memberships b ON b.community_id = a.community_id"
        " JOIN communities c ON c.id = a.community_id"
        " WHERE a.person_id = ? AND b.person_id = ? ORDER BY c.name",
        (first, second),
    )
    return [row[0] for row in rows]


async def person_for_merge(conn: Connection, person_id: int) -> Row | None:
    return await fetch_one(
        conn,
        "SELECT p.*, (SELECT COUNT(*) FROM memberships m WHERE m.person_id = p.id) AS memberships"
        " FROM people p WHERE p.id = ?",
        (person_id,),
    )


async def merge(conn: Connection, *, survivor: Row, absorbed: Row,
                channel: str) -> None:
    """Everything the absorbed person owns becomes the survivor's, in the caller's
    transaction. The caller has checked that no community has both of them (one account per
    community: two are never merged) and that they share no channel."""
    keep, gone = survivor["id"], absorbed["id"]
    for table, column in MOVED:
        await conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (keep, gone))
    for table, column in DROPPED:
        await conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (gone,))
    # A live code of the absorbed person would join someone to a person who is gone.
    await conn.execute("DELETE FROM link_codes WHERE person_id = ? AND used_at IS NULL", (gone,))
    # The survivor keeps what they have and fills the gaps from the absorbed person: a name
    # someone chose beats a placeholder, a Telegram @username is kept for "/pay @name".
    take_name = not survivor["name_confirmed"] and absorbed["name_confirmed"]
    await conn.execute(
        "UPDATE people SET display_name = ?, name_confirmed = ?,"
        " username = COALESCE(username, ?), locale = COALESCE(locale, ?),"
        " current_community_id = COALESCE(current_community_id, ?),"
        " notify_channel = COALESCE(notify_channel, ?), last_channel = ? WHERE id = ?",
        (absorbed["display_name"] if take_name else survivor["display_name"],
         1 if take_name else survivor["name_confirmed"], absorbed["username"],
         absorbed["locale"], absorbed["current_community_id"], absorbed["notify_channel"],
         channel, keep),
    )
    await conn.execute(
        "UPDATE people SET merged_into = ?, username = NULL, current_community_id = NULL,"
        " notify_channel = NULL WHERE id = ?",
        (keep, gone),
    )
