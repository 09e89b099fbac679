"""SQL for KakaoTalk's plumbing: the single-use tokens behind buttons, and the news waiting for
a Kakao user's next reply. None of it is domain state: every write here is housekeeping that
does not record the update being handled (`records_update=False`)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from storage.db import Database, fetch_all, fetch_one
from storage.timefmt import from_db, to_db

# A tap's effect is recorded in processed_updates, which forgets after 8 days
# (core.delivery.KEEP_FOR): a token stops working before its record can be forgotten.
TOKEN_TTL = timedelta(days=7)
NEWS_KEPT = timedelta(days=30)  # shown news is kept a while for support questions

Choices = tuple[tuple[str, str], ...]  # (label, action)


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class KakaoPerson:
    person_id: int
    display_name: str
    locale: str


@dataclass(frozen=True)
class Token:
    token: str
    user_key: str
    action: str
    more: Choices
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class News:
    id: int
    text: str
    buttons: Choices
    created_at: datetime


@dataclass(frozen=True)
class Issue:
    """A token to create: the action behind one button (and, for "more", what it opens)."""

    action: str
    more: Choices = ()


def _choices(raw: str | None) -> Choices:
    if not raw:
        return ()
    return tuple((str(label), str(action)) for label, action in json.loads(raw))


def _dump(choices: Choices) -> str:
    return json.dumps([list(choice) for choice in choices], ensure_ascii=False)


class KakaoStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def now(self) -> datetime:
        return self._clock.now()

    async def person(self, user_key: str) -> KakaoPerson | None:
        """Who a Kakao user is, if they have talked to the bot before."""
        async with self._db.read() as conn:
            row = await fetch_one(
                conn, "SELECT p.id, p.display_name, p.locale FROM identities i"
                " JOIN people p ON p.id = i.person_id"
                " WHERE i.channel = 'kakao' AND i.external_id = ?", (user_key,))
        if row is None:
            return None
        return KakaoPerson(int(row["id"]), row["display_name"], row["locale"] or "ko")

    # ----- tokens ---------------------------------------------------------------------------

    async def token(self, token: str) -> Token | None:
        async with self._db.read() as conn:
            row = await fetch_one(conn, "SELECT * FROM kakao_tokens WHERE token = ?", (token,))
        if row is None:
            return None
        return Token(row["token"], row["user_key"], row["action"], _choices(row["more"]),
                     from_db(row["created_at"]), from_db(row["expires_at"]),
                     from_db(row["used_at"]))

    async def mark_used(self, token: str) -> None:
        async with self._db.write(records_update=False) as conn:
            await conn.execute("UPDATE kakao_tokens SET used_at = ? WHERE token = ?"
                               " AND used_at IS NULL", (to_db(self.now()), token))

    async def reply_shown(self, user_key: str, issues: list[Issue], shown_news: list[int],
                          used: str | None = None) -> list[str]:
        """One transaction for what a reply leaves behind: a token for each of its buttons
        (returned in order), its news marked shown, and the token it answered marked used."""
        if not issues and not shown_news and used is None:
            return []
        now = self.now()
        tokens = [secrets.token_urlsafe(12) for _ in issues]
        async with self._db.write(records_update=False) as conn:
            if used is not None:
                await conn.execute("UPDATE kakao_tokens SET used_at = ? WHERE token = ?"
                                   " AND used_at IS NULL", (to_db(now), used))
            if issues:
                await conn.executemany(
                    "INSERT INTO kakao_tokens (token, user_key, action, more, created_at,"
                    " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [(token, user_key, issue.action, _dump(issue.more) if issue.more else None,
                      to_db(now), to_db(now + TOKEN_TTL)) for token, issue in zip(tokens, issues,
                                                                                  strict=True)])
            if shown_news:
                marks = ",".join("?" * len(shown_news))
                await conn.execute(f"UPDATE kakao_news SET shown_at = ? WHERE id IN ({marks})"
                                   " AND shown_at IS NULL", (to_db(now), *shown_news))
        return tokens

    async def latest_token(self, user_key: str, action: str) -> str | None:
        """The newest token shown to `user_key` for `action` (a test and support aid)."""
        async with self._db.read() as conn:
            row = await fetch_one(conn, "SELECT token FROM kakao_tokens WHERE user_key = ?"
                                  " AND action = ? ORDER BY rowid DESC LIMIT 1",
                                  (user_key, action))
        return row["token"] if row else None

    # ----- news -----------------------------------------------------------------------------

    async def add_news(self, user_key: str, text: str, buttons: Choices = ()) -> int:
        async with self._db.write(records_update=False) as conn:
            inserted = await fetch_one(
                conn,
                "INSERT INTO kakao_news (user_key, text, buttons, created_at) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (user_key, text, _dump(buttons), to_db(self.now())),
            )
            return int(inserted[0])

    async def waiting(self, user_key: str, limit: int) -> tuple[list[News], int]:
        """The oldest `limit` messages not yet shown, and how many wait in all."""
        async with self._db.read() as conn:
            rows = await fetch_all(
                conn, "SELECT id, text, buttons, created_at, COUNT(*) OVER () AS total"
                " FROM kakao_news WHERE user_key = ? AND shown_at IS NULL ORDER BY id LIMIT ?",
                (user_key, limit))
        news = [News(int(row["id"]), row["text"], _choices(row["buttons"]),
                     from_db(row["created_at"])) for row in rows]
        return news, int(rows[0]["total"]) if rows else 0

    async def forget_old(self) -> int:
        """Expired tokens and long-shown news go; returns how many rows were deleted."""
        now = self.now()
        async with self._db.write(records_update=False) as conn:
            tokens = await conn.execute("DELETE FROM kakao_tokens WHERE expires_at < ?",
                                        (to_db(now),))
            news = await conn.execute("DELETE FROM kakao_news WHERE shown_at < ?",
                                      (to_db(now - NEWS_KEPT),))
            return tokens.rowcount + news.rowcount
