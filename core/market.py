"""The market: offers (드려요) and requests (구해요) with a category, price and expiry."""

from __future__ import annotations

from datetime import timedelta

from core.amounts import parse_amount
from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.membership import require_active_member
from core.models import Actor, MarketPage, Membership, Post, PostView
from core.views import load_community, load_member
from storage import memberships as membership_rows
from storage import posts as post_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

CATEGORIES = ("goods", "food", "care", "learning", "repair", "health", "culture", "other")
KINDS = ("offer", "request")
POST_LIFETIME = timedelta(days=30)
POST_WARNING_BEFORE = timedelta(days=3)
MARKET_PAGE_SIZE = 5
TITLE_MIN, TITLE_MAX = 2, 60
DESCRIPTION_MAX = 1000
SEARCH_MAX = 50


def clean_title(text: str) -> str:
    title = " ".join((text or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise DomainError("post_title_invalid", minimum=TITLE_MIN, maximum=TITLE_MAX)
    return title


def clean_description(text: str) -> str:
    description = (text or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError("post_description_too_long", maximum=DESCRIPTION_MAX)
    return description


def clean_price(text: str, unit: str) -> int:
    return parse_amount(text, unit)


class MarketService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def create_post(
        self, actor: Actor, *, kind: str, category: str, title: str, description: str,
        price: int | None, photo_file_id: str | None, finishing: Dialog | None = None,
    ) -> PostView:
        """Publish a post; with `finishing` the author's guided dialog ends in the same
        transaction, so a crash can't leave a published draft still waiting to be published
        and a second tap of Publish publishes nothing."""
        community, me = require_active_member(actor)
        if kind not in KINDS:
            raise DomainError("post_kind_invalid")
        if category not in CATEGORIES:
            raise DomainError("post_category_invalid")
        title = clean_title(title)
        description = clean_description(description)
        if price is not None and price <= 0:
            raise DomainError("amount_zero", text=str(price))
        now = self._clock.now()
        expires_at = now + POST_LIFETIME
        async with self._db.write() as conn:
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            post_id = await post_rows.insert(
                conn, community_id=community.id, author_membership_id=me.id, kind=kind,
                category=category, title=title, description=description, price=price,
                photo_file_id=photo_file_id, now=to_db(now), expires_at=to_db(expires_at),
                warn_at=to_db(expires_at - POST_WARNING_BEFORE),
            )
            return await _load_post(conn, post_id)

    async def search(self, actor: Actor, words: str = "", page: int = 0) -> MarketPage:
        community, _ = require_active_member(actor)
        words = " ".join((words or "").split())[:SEARCH_MAX]
        page = max(0, page)
        async with self._db.read() as conn:
            rows = await post_rows.search_open(
                conn, community.id, words.split(), MARKET_PAGE_SIZE + 1, page * MARKET_PAGE_SIZE
            )
        posts = [Post.from_row(row) for row in rows[:MARKET_PAGE_SIZE]]
        return MarketPage(community=community, posts=posts, page=page,
                          has_more=len(rows) > MARKET_PAGE_SIZE, words=words)

    async def post(self, actor: Actor, post_id: int) -> PostView:
        """A post of a community the actor is an active member of. A suspended author's
        posts have left the market: old buttons find nothing."""
        async with self._db.read() as conn:
            view = await _load_post(conn, post_id)
            await _require_member_of(conn, actor, view.post.community_id)
        if view.author.status != "active":
            raise DomainError("post_not_found")
        if view.post.status != "open" and view.author.person_id != actor.person.id:
            raise DomainError("post_closed")
        return view

    async def close(self, actor: Actor, post_id: int) -> PostView:
        async with self._db.write() as conn:
            view = await _load_post(conn, post_id)
            membership = await _require_member_of(conn, actor, view.post.community_id)
            if view.author.person_id != actor.person.id and not membership.is_coordinator:
                raise DomainError("post_not_yours")
            if view.post.status == "closed":
                return view
            await post_rows.set_status(conn, post_id, "closed", only_from=view.post.status)
            return await _load_post(conn, post_id)

    async def renew(self, actor: Actor, post_id: int) -> PostView:
        now = self._clock.now()
        expires_at = now + POST_LIFETIME
        async with self._db.write() as conn:
            view = await _load_post(conn, post_id)
            await _require_member_of(conn, actor, view.post.community_id)
            if view.author.person_id != actor.person.id:
                raise DomainError("post_not_yours")
            if view.post.status == "closed":
                raise DomainError("post_closed")
            await post_rows.renew(
                conn, post_id, to_db(expires_at), to_db(expires_at - POST_WARNING_BEFORE)
            )
            return await _load_post(conn, post_id)

    async def expire_due(self, limit: int = 200) -> list[PostView]:
        now = to_db(self._clock.now())
        expired = []
        async with self._db.write() as conn:
            for row in await post_rows.due_expiries(conn, now, limit):
                if await post_rows.set_status(conn, row["id"], "expired"):
                    expired.append(await _load_post(conn, row["id"]))
        return expired

    async def take_due_warnings(self, limit: int = 200) -> list[PostView]:
        now = to_db(self._clock.now())
        due = []
        async with self._db.write() as conn:
            for row in await post_rows.due_warnings(conn, now, limit):
                if await post_rows.mark_warned(conn, row["id"], now):
                    due.append(await _load_post(conn, row["id"]))
        return due


async def _load_post(conn: Connection, post_id: int) -> PostView:
    row = await post_rows.get(conn, post_id)
    if row is None:
        raise DomainError("post_not_found")
    post = Post.from_row(row)
    return PostView(
        post=post,
        community=await load_community(conn, post.community_id),
        author=await load_member(conn, post.author_membership_id),
    )


async def _require_member_of(conn: Connection, actor: Actor, community_id: int) -> Membership:
    row = await membership_rows.get_for(conn, community_id, actor.person.id)
    if row is None or row["status"] != "active":
        raise DomainError("post_not_found")
    return Membership.from_row(row)
