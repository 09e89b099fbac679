"""SQL for the member directory: what each member lets others see, and the listing itself."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row, like

# Defaults when a member never changed anything: name and number only, messages accepted.
_PROFILE = (
    "COALESCE(pr.show_profile, 0) AS show_profile,"
    " COALESCE(pr.accepts_messages, 1) AS accepts_messages, COALESCE(pr.intro, '') AS intro"
)
_ENTRY = (
    "SELECT m.id AS membership_id, m.community_id, m.number, m.person_id, p.display_name, "
    + _PROFILE
    + " FROM memberships m JOIN people p ON p.id = m.person_id"
    " LEFT JOIN member_profiles pr ON pr.membership_id = m.id"
)
FLAGS = ("show_profile", "accepts_messages")


async def get(conn: Connection, membership_id: int) -> dict[str, object]:
    """The member's choices, with the defaults filled in."""
    row = await fetch_one(
        conn, "SELECT show_profile, accepts_messages, intro FROM member_profiles"
        " WHERE membership_id = ?", (membership_id,),
    )
    if row is None:
        return {"show_profile": 0, "accepts_messages": 1, "intro": ""}
    return dict(row)


async def set_flag(conn: Connection, membership_id: int, flag: str, on: bool, now: str) -> None:
    if flag not in FLAGS:  # a column name is never taken from outside
        raise ValueError(flag)
    await conn.execute(
        f"INSERT INTO member_profiles (membership_id, {flag}, updated_at) VALUES (?, ?, ?)"
        f" ON CONFLICT (membership_id) DO UPDATE SET {flag} = excluded.{flag},"
        " updated_at = excluded.updated_at",
        (membership_id, int(on), now),
    )


async def set_intro(conn: Connection, membership_id: int, intro: str, now: str) -> None:
    await conn.execute(
        "INSERT INTO member_profiles (membership_id, intro, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (membership_id) DO UPDATE SET intro = excluded.intro,"
        " updated_at = excluded.updated_at",
        (membership_id, intro, now),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def listed(
    conn: Connection, community_id: int, words: list[str], limit: int, offset: int
) -> list[Row]:
    """Active members of one community by number. Every word must match the name or the
    number, or — only for a member who shows their profile — their introduction or the title
    of one of their open offers, so a search never reveals what a member keeps hidden."""
    clauses = ["m.community_id = ?", "m.status = 'active'", "m.number IS NOT NULL"]
    params: list[object] = [community_id]
    for word in words:
        pattern = f"%{_escape_like(word)}%"
        number = word.lstrip("#").removesuffix("번")
        like_ = like(conn)
        clauses.append(
            f"(p.display_name {like_} ? ESCAPE '\\' OR m.number = ?"
            f" OR (COALESCE(pr.show_profile, 0) = 1 AND (pr.intro {like_} ? ESCAPE '\\'"
            "  OR EXISTS (SELECT 1 FROM posts po WHERE po.author_membership_id = m.id"
            f"   AND po.kind = 'offer' AND po.status = 'open' AND po.title {like_} ?"
            " ESCAPE '\\'))))"
        )
        params += [pattern, int(number) if number.isdigit() and len(number) <= 9 else -1,
                   pattern, pattern]
    return await fetch_all(
        conn,
        _ENTRY + " WHERE " + " AND ".join(clauses) + " ORDER BY m.number LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


async def entry(conn: Connection, membership_id: int) -> Row | None:
    """One member as the directory shows them, if they are listed (active, numbered)."""
    return await fetch_one(
        conn, _ENTRY + " WHERE m.id = ? AND m.status = 'active' AND m.number IS NOT NULL",
        (membership_id,),
    )


async def open_offers(
    conn: Connection, membership_ids: list[int], per_member: int
) -> dict[int, list[Row]]:
    """Each member's open offers (id, title), newest first, at most `per_member` each."""
    if not membership_ids:
        return {}
    marks = ",".join("?" * len(membership_ids))
    rows = await fetch_all(
        conn,
        "SELECT id, author_membership_id, title FROM ("
        " SELECT po.id, po.author_membership_id, po.title, ROW_NUMBER() OVER ("
        "  PARTITION BY po.author_membership_id ORDER BY po.id DESC) AS rank"
        f" FROM posts po WHERE po.author_membership_id IN ({marks})"
        " AND po.kind = 'offer' AND po.status = 'open') AS ranked"
        " WHERE rank <= ? ORDER BY author_membership_id, id DESC",
        [*membership_ids, per_member],
    )
    found: dict[int, list[Row]] = {mid: [] for mid in membership_ids}
    for row in rows:
        found[row["author_membership_id"]].append(row)
    return found
