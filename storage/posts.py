"""SQL for market posts (드려요 / 구해요)."""

from __future__ import annotations

import sqlite3

from storage.db import Connection, fetch_all, fetch_one

_POST_VIEW = (
    "SELECT po.*, m.number AS author_number, p.display_name AS author_name"
    " FROM posts po JOIN memberships m ON m.id = po.author_membership_id"
    " JOIN people p ON p.id = m.person_id"
)


async def insert(
    conn: Connection,
    *,
    community_id: int,
    author_membership_id: int,
    kind: str,
    category: str,
    title: str,
    description: str,
    price: int | None,
    photo_file_id: str | None,
    now: str,
    expires_at: str,
    warn_at: str,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO posts (community_id, author_membership_id, kind, category, title,"
        " description, price, photo_file_id, created_at, expires_at, warn_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            community_id,
            author_membership_id,
            kind,
            category,
            title,
            description,
            price,
            photo_file_id,
            now,
            expires_at,
            warn_at,
        ),
    )
    return int(cursor.lastrowid)


async def get(conn: Connection, post_id: int) -> sqlite3.Row | None:
    return await fetch_one(conn, _POST_VIEW + " WHERE po.id = ?", (post_id,))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search_open(
    conn: Connection, community_id: int, words: list[str], limit: int, offset: int
) -> list[sqlite3.Row]:
    """Open posts of active authors, newest first; every word must appear somewhere."""
    clauses = ["po.community_id = ?", "po.status = 'open'", "m.status = 'active'"]
    params: list[object] = [community_id]
    for word in words:
        clauses.append(
            "(po.title LIKE ? ESCAPE '\\' OR po.description LIKE ? ESCAPE '\\' OR po.category = ?)"
        )
        pattern = f"%{_escape_like(word)}%"
        params.extend([pattern, pattern, word])
    params.extend([limit, offset])
    return await fetch_all(
        conn,
        _POST_VIEW + " WHERE " + " AND ".join(clauses) + " ORDER BY po.id DESC LIMIT ? OFFSET ?",
        params,
    )


async def newest_open_offers(
    conn: Connection, community_id: int, numbers: list[int]
) -> dict[int, str]:
    """Member number → title of their newest open offer (드려요), for those who have one."""
    if not numbers:
        return {}
    marks = ", ".join("?" for _ in numbers)
    rows = await fetch_all(
        conn,
        "SELECT m.number, po.title FROM posts po"
        " JOIN memberships m ON m.id = po.author_membership_id"
        " WHERE po.community_id = ? AND po.status = 'open' AND po.kind = 'offer'"
        f" AND m.number IN ({marks}) ORDER BY po.id DESC",
        [community_id, *numbers],
    )
    offers: dict[int, str] = {}
    for row in rows:
        offers.setdefault(int(row["number"]), row["title"])
    return offers


async def set_status(
    conn: Connection, post_id: int, status: str, *, only_from: str = "open"
) -> bool:
    cursor = await conn.execute(
        "UPDATE posts SET status = ? WHERE id = ? AND status = ?", (status, post_id, only_from)
    )
    return cursor.rowcount == 1


async def renew(conn: Connection, post_id: int, expires_at: str, warn_at: str) -> bool:
    cursor = await conn.execute(
        "UPDATE posts SET status = 'open', expires_at = ?, warn_at = ?, warned_at = NULL"
        " WHERE id = ? AND status IN ('open', 'expired')",
        (expires_at, warn_at, post_id),
    )
    return cursor.rowcount == 1


async def due_expiries(conn: Connection, now: str, limit: int) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        _POST_VIEW + " WHERE po.status = 'open' AND po.expires_at <= ?"
        " ORDER BY po.expires_at LIMIT ?",
        (now, limit),
    )


async def due_warnings(conn: Connection, now: str, limit: int) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        _POST_VIEW + " WHERE po.status = 'open' AND po.warn_at <= ? AND po.warned_at IS NULL"
        " ORDER BY po.warn_at LIMIT ?",
        (now, limit),
    )


async def mark_warned(conn: Connection, post_id: int, now: str) -> bool:
    cursor = await conn.execute(
        "UPDATE posts SET warned_at = ? WHERE id = ? AND warned_at IS NULL AND status = 'open'",
        (now, post_id),
    )
    return cursor.rowcount == 1
