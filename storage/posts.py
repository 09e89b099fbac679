"""SQL for market posts (드려요 / 구해요)."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import POSTGRESQL, Row, dialect
from storage.search_terms import pg_search_query, pg_terms, post_search_terms, search_match

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
    inserted = await fetch_one(
        conn,
        "INSERT INTO posts (community_id, author_membership_id, kind, category, title,"
        " description, price, photo_file_id, created_at, expires_at, warn_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
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
    post_id = int(inserted[0])
    await _index_if_open(conn, post_id)
    return post_id


async def _index_if_open(conn: Connection, post_id: int) -> None:
    """Put an open post in the search index, with its terms from the SQL function
    post_search_terms (storage/search_terms.py); the triggers of migration 014 take it out
    when it stops being open or its text changes."""
    if dialect(conn) == POSTGRESQL:  # no Python function inside the server: terms made here
        post = await fetch_one(
            conn, "SELECT community_id, category, title, description FROM posts"
            " WHERE id = ? AND status = 'open'", (post_id,))
        if post is not None:
            terms = post_search_terms(post["community_id"], post["category"], post["title"],
                                      post["description"])
            await conn.execute(
                "INSERT INTO posts_search (post_id, terms) VALUES (?, CAST(? AS tsvector))"
                " ON CONFLICT (post_id) DO NOTHING", (post_id, pg_terms(terms)))
        return
    await conn.execute(
        "INSERT INTO posts_search (rowid, terms) SELECT id,"
        " post_search_terms(community_id, category, title, description) FROM posts"
        " WHERE id = ? AND status = 'open'"
        " AND NOT EXISTS (SELECT 1 FROM posts_search WHERE rowid = ?)",
        (post_id, post_id),
    )


async def get(conn: Connection, post_id: int) -> Row | None:
    return await fetch_one(conn, _POST_VIEW + " WHERE po.id = ?", (post_id,))


async def search_open(
    conn: Connection, community_id: int, words: list[str], limit: int, offset: int
) -> list[Row]:
    """Open posts of active authors, newest first; every word must appear somewhere in the
    title or the description (inside longer words too), or be the category. Words are found
    through the index (storage/search_terms.py), never by reading every open post."""
    if not words:
        return await fetch_all(
            conn,
            _POST_VIEW + " WHERE po.community_id = ? AND po.status = 'open'"
            " AND m.status = 'active' ORDER BY po.id DESC LIMIT ? OFFSET ?",
            (community_id, limit, offset),
        )
    if dialect(conn) == POSTGRESQL:
        return await fetch_all(
            conn,
            "SELECT po.*, m.number AS author_number, p.display_name AS author_name"
            " FROM posts_search s JOIN posts po ON po.id = s.post_id"
            " JOIN memberships m ON m.id = po.author_membership_id"
            " JOIN people p ON p.id = m.person_id"
            " WHERE s.terms @@ CAST(? AS tsquery) AND po.community_id = ?"
            " AND po.status = 'open' AND m.status = 'active'"
            " ORDER BY s.post_id DESC LIMIT ? OFFSET ?",
            (pg_search_query(community_id, words), community_id, limit, offset),
        )
    return await fetch_all(
        conn,
        "SELECT po.*, m.number AS author_number, p.display_name AS author_name"
        " FROM posts_search s CROSS JOIN posts po ON po.id = s.rowid"
        " JOIN memberships m ON m.id = po.author_membership_id"
        " JOIN people p ON p.id = m.person_id"
        " WHERE posts_search MATCH ? AND po.community_id = ? AND po.status = 'open'"
        " AND m.status = 'active' ORDER BY s.rowid DESC LIMIT ? OFFSET ?",
        (search_match(community_id, words), community_id, limit, offset),
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
    await _index_if_open(conn, post_id)
    return cursor.rowcount == 1


async def due_expiries(conn: Connection, now: str, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        _POST_VIEW + " WHERE po.status = 'open' AND po.expires_at <= ?"
        " ORDER BY po.expires_at LIMIT ?",
        (now, limit),
    )


async def due_warnings(conn: Connection, now: str, limit: int) -> list[Row]:
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
