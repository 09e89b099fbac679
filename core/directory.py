"""Finding a member the way people name them: `김영희`, `김영희님`, `영희`, `#23`, `23`, `@id`.

The matching is pure: it sees only the candidates it is given, which are always the active
members of one community, so no answer can name a member of another community.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.membership import require_active_member, require_member
from core.models import Actor, Community, Member
from core.views import member_from_row
from storage import memberships as membership_rows
from storage import profiles as profile_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

CLOSEST_MAX = 3
CLOSEST_MIN_SIMILARITY = 0.3  # below this a "did you mean" is noise, not a near miss

# Case particles and honorifics people put after a name: 김영희님한테, 영희 씨에게, 김 선생님께.
PARTICLES = ("으로부터", "로부터", "한테서", "에게서", "한테", "에게", "께서", "더러", "께")
HONORIFICS = ("선생님", "회원님", "어르신", "선생", "님", "씨")
_SUFFIXES = tuple(sorted(PARTICLES + HONORIFICS, key=len, reverse=True))
# Two-syllable family names; in a four-syllable name they leave a two-syllable given name.
COMPOUND_SURNAMES = frozenset({"남궁", "황보", "제갈", "사공", "선우", "독고", "서문", "동방",
                               "어금", "망절", "장곡"})

_NUMBER_REF = re.compile(r"^#?(\d{1,9})번?$")
_USERNAME_REF = re.compile(r"^@([A-Za-z0-9_]{3,32})$")


@dataclass(frozen=True)
class Candidate:
    number: int
    name: str
    username: str | None = None


@dataclass(frozen=True)
class MemberMatch:
    """`exact`: members holds the one; `several`: the choices; `none`: the closest names
    (at most three, maybe none); `invalid`: the text is neither a name nor a number."""

    kind: Literal["exact", "several", "none", "invalid"]
    members: tuple[Candidate, ...] = ()


def strip_particles(text: str) -> str:
    """`김영희님한테` → `김영희`, `영희 씨에게` → `영희`, `김 선생님` → `김`. What remains is
    at least two letters unless a space set the suffix apart, so `날씨` (weather) stays."""
    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            rest = text[: -len(suffix)]
            if text.endswith(suffix) and rest.strip() and (len(rest) >= 2 or rest.endswith(" ")):
                text = rest.rstrip()
                changed = True
                break
    return text


def match_member(query: str, candidates: Sequence[Candidate]) -> MemberMatch:
    """Match in tiers and stop at the first tier that finds anyone:

    1. `#23`, `23`, `23번` (number) and `@id` (username, any case);
    2. the whole display name, spaces and case ignored, either word order (`영희 김`);
    3. the given name without the family name (`영희` for `김영희`, `민수` for `남궁민수`), one
       word of a spaced name (`Kim`), or the username without `@`.
    Each tier is tried with the text as written and with particles and honorifics removed
    (so a member really called `별님` is still found). One member found is `exact`, more are
    `several`; none gives up to three closest names by jamo-level similarity.
    """
    raw = _key(query)
    stripped = _key(strip_particles(query))
    keys = tuple(dict.fromkeys(key for key in (raw, stripped) if key))
    if not keys:
        return MemberMatch("invalid")
    for key in keys:
        number = _NUMBER_REF.match(key)
        username = _USERNAME_REF.match(key)
        if number:
            return _found([c for c in candidates if c.number == int(number.group(1))])
        if username:
            wanted = username.group(1).casefold()
            return _found([c for c in candidates if (c.username or "").casefold() == wanted])
    if not any(char.isalpha() for char in stripped):
        return MemberMatch("invalid")
    for tier in (_full_keys, _part_keys):
        for key in keys:
            found = [c for c in candidates if key in tier(c)]
            if found:
                return _found(found)
    return MemberMatch("none", closest(stripped, candidates))


def closest(query: str, candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """Up to three candidates most like the query; a name containing the query (or contained
    in it) ranks first, then by jamo edit distance, then by member number."""
    key = _key(query)
    if not key:
        return ()
    scored = []
    for candidate in candidates:
        score = max(_similarity(key, other) for other in _full_keys(candidate)
                    | _part_keys(candidate))
        if score >= CLOSEST_MIN_SIMILARITY:
            scored.append((-score, candidate.number, candidate))
    scored.sort(key=lambda item: item[:2])
    return tuple(candidate for _, _, candidate in scored[:CLOSEST_MAX])


def jamo(text: str) -> str:
    """Hangul syllables split into their letters (김 → ㄱㅣㅁ), so 영히 is one letter from 영희."""
    return unicodedata.normalize("NFD", text)


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def match_member_for(
    query: str, candidates: Sequence[Candidate], exclude_number: int | None
) -> MemberMatch:
    """`match_member`, as seen by the member numbered `exclude_number`: they are never among
    the choices or the closest names (no one trades with themselves), so when they and one
    other member share a name, the other one is meant. A text naming only them still finds
    them, so the answer can say why not."""
    match = match_member(query, candidates)
    if exclude_number is None or match.kind == "exact":
        return match
    return match_member(query, [c for c in candidates if c.number != exclude_number])


async def community_candidates(conn: Connection, community_id: int) -> list[Candidate]:
    rows = await membership_rows.active_member_names(conn, community_id)
    return [Candidate(row["number"], row["display_name"], row["username"]) for row in rows]


async def resolve_member_name(
    conn: Connection, community_id: int, text: str, exclude_number: int | None = None
) -> Member:
    """The one active member of the community the text names, or a DomainError that lists
    the choices (`member_ambiguous`) or the closest names (`member_not_found`); the member
    numbered `exclude_number` (the one asking) is never listed."""
    candidates = await community_candidates(conn, community_id)
    match = match_member_for(text, candidates, exclude_number)
    if match.kind == "invalid":
        raise DomainError("member_ref_invalid", ref=text)
    choices = tuple((c.number, c.name) for c in match.members)
    if match.kind == "several":
        raise DomainError("member_ambiguous", ref=text, choices=choices)
    if match.kind == "none":
        raise DomainError("member_not_found", ref=text, closest=choices)
    row = await membership_rows.member_by_number(conn, community_id, match.members[0].number)
    if row is None:  # gone between the two reads of one transaction: cannot happen in SQLite
        raise DomainError("member_not_found", ref=text, closest=())
    return member_from_row(row)


@dataclass(frozen=True)
class MemberChoice:
    """A member to pick by name: their number, name, and what they offer (the title of their
    newest open 드려요 post), which tells two members of the same name apart."""

    number: int
    name: str
    offer: str | None = None


@dataclass(frozen=True)
class MemberChoices:
    kind: Literal["exact", "several", "none", "invalid"]
    members: tuple[MemberChoice, ...] = ()
    more: int = 0  # matching members left out of `members`


def _found(found: list[Candidate]) -> MemberMatch:
    if not found:
        return MemberMatch("none")
    found = sorted(set(found), key=lambda c: c.number)
    return MemberMatch("exact" if len(found) == 1 else "several", tuple(found))


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _full_keys(candidate: Candidate) -> frozenset[str]:
    words = unicodedata.normalize("NFKC", candidate.name).casefold().split()
    return frozenset(key for key in ("".join(words), "".join(reversed(words))) if key)


def _part_keys(candidate: Candidate) -> frozenset[str]:
    words = unicodedata.normalize("NFKC", candidate.name).casefold().split()
    keys = {word for word in words if len(words) > 1 and len(word) >= 2}
    if len(words) == 1 and _is_hangul(words[0]) and 3 <= len(words[0]) <= 5:
        name = words[0]
        keys.add(name[2:] if len(name) >= 4 and name[:2] in COMPOUND_SURNAMES else name[1:])
    if candidate.username:
        keys.add(candidate.username.casefold())
    return frozenset(keys)


def _is_hangul(word: str) -> bool:
    return all("\uac00" <= char <= "\ud7a3" for char in word)


def _similarity(a: str, b: str) -> float:
    if a in b or b in a:
        return 1.0 + min(len(a), len(b)) / max(len(a), len(b))  # containment ranks first
    a, b = jamo(a), jamo(b)
    return 1.0 - edit_distance(a, b) / max(len(a), len(b), 1)


# ----- the member directory for members (/directory) -----------------------------------
# Coordinators' /members (balances, activity) is core.membership's; this one shows members to
# each other: name and number, and only what each member chose to show.

DIRECTORY_PAGE_SIZE = 10
OFFERS_IN_LIST = 3
OFFERS_IN_ENTRY = 5
INTRO_MAX = 80
DIRECTORY_SEARCH_MAX = 40
INTRO_DIALOG = "profile_intro"


@dataclass(frozen=True)
class Profile:
    """What a member lets other members see, and whether they take relayed messages."""

    show_profile: bool = False
    accepts_messages: bool = True
    intro: str = ""


@dataclass(frozen=True)
class Offer:
    post_id: int
    title: str


@dataclass(frozen=True)
class Neighbour:
    """A member as other members see them; `intro` and `offers` are empty unless the member
    chose to show them."""

    membership_id: int
    number: int
    name: str
    is_me: bool
    accepts_messages: bool
    intro: str = ""
    offers: tuple[Offer, ...] = ()


@dataclass(frozen=True)
class DirectoryPage:
    community: Community
    entries: tuple[Neighbour, ...]
    page: int
    has_more: bool
    words: str


def clean_intro(text: str) -> str | None:
    """An introduction on one line; `-` (or nothing) removes it; None when too long."""
    intro = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if intro in ("-", "–"):
        return ""
    return intro if len(intro) <= INTRO_MAX else None


class DirectoryService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def page(self, actor: Actor, words: str = "", page: int = 0) -> DirectoryPage:
        """A page of the active members of the actor's current community (never another's)."""
        community, _ = require_active_member(actor)
        words = " ".join((words or "").split())[:DIRECTORY_SEARCH_MAX]
        page = max(0, page)
        async with self._db.snapshot() as conn:
            rows = await profile_rows.listed(conn, community.id, words.split(),
                                             DIRECTORY_PAGE_SIZE + 1, page * DIRECTORY_PAGE_SIZE)
            shown = rows[:DIRECTORY_PAGE_SIZE]
            offers = await profile_rows.open_offers(
                conn, [row["membership_id"] for row in shown if row["show_profile"]],
                OFFERS_IN_LIST)
        entries = tuple(_neighbour(row, actor, offers) for row in shown)
        return DirectoryPage(community, entries, page, len(rows) > DIRECTORY_PAGE_SIZE, words)

    async def entry(self, actor: Actor, membership_id: int) -> Neighbour | None:
        """One member of the actor's current community; None if they are not listed there."""
        community, _ = require_active_member(actor)
        async with self._db.snapshot() as conn:
            row = await profile_rows.entry(conn, membership_id)
            if row is None or row["community_id"] != community.id:
                return None
            offers = await profile_rows.open_offers(
                conn, [membership_id] if row["show_profile"] else [], OFFERS_IN_ENTRY)
        return _neighbour(row, actor, offers)

    async def profile(self, actor: Actor) -> Profile | None:
        """The actor's choices in their current community; None without a membership."""
        if actor.membership is None or actor.membership.status not in ("active", "suspended"):
            return None
        async with self._db.read() as conn:
            return _profile(await profile_rows.get(conn, actor.membership.id))

    async def set_choice(self, actor: Actor, choice: str, on: bool) -> Profile:
        """Show the profile in the directory (`show_profile`) or take messages
        (`accepts_messages`). A suspended member may still hide themselves."""
        if choice not in profile_rows.FLAGS:
            raise ValueError(choice)
        _, membership = require_member(actor)
        async with self._db.write() as conn:
            await profile_rows.set_flag(conn, membership.id, choice, on,
                                        to_db(self._clock.now()))
            return _profile(await profile_rows.get(conn, membership.id))

    async def set_intro(self, actor: Actor, text: str, finishing: Dialog | None = None
                        ) -> Profile:
        intro = clean_intro(text)
        if intro is None:
            raise ValueError("introduction too long")
        _, membership = require_member(actor)
        async with self._db.write() as conn:
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            await profile_rows.set_intro(conn, membership.id, intro, to_db(self._clock.now()))
            return _profile(await profile_rows.get(conn, membership.id))


def _profile(row) -> Profile:
    return Profile(show_profile=bool(row["show_profile"]),
                   accepts_messages=bool(row["accepts_messages"]), intro=row["intro"] or "")


def _neighbour(row, actor: Actor, offers: dict) -> Neighbour:
    shown = bool(row["show_profile"])
    return Neighbour(
        membership_id=row["membership_id"], number=row["number"], name=row["display_name"],
        is_me=row["person_id"] == actor.person.id,
        accepts_messages=bool(row["accepts_messages"]),
        intro=row["intro"] if shown else "",
        offers=tuple(Offer(o["id"], o["title"]) for o in offers.get(row["membership_id"], ())),
    )
