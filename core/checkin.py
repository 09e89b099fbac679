"""Check-in at an event: when it is open, the short code members send, how many wrong codes
they may try, and the attendance reward.

- Check-in opens OPENS_BEFORE the start. Members sending the code can do so until
  CLOSES_AFTER the end. The coordinator's list is refused before the window opens too, but
  stays usable afterwards so the record can be corrected (the reward is then paid as usual).
- A code is CODE_DIGITS digits, easy to type. A member may send MAX_WRONG_CODES wrong codes
  per sign-up while its window is open; after that only the coordinator can check them in,
  even if the right code comes later. 4 digits and 5 tries give a guesser 1 chance in 2,000
  per event. A code is only compared with the events the member signed up for and whose
  window is open, so nobody learns anything about other events' codes.
- A fresh code from the coordinator replaces the old one at once; the old one no longer works.
- The reward is a payment from the community account: a member who is suspended, or whose
  account waits for an orientation, has their attendance recorded but is not paid. An
  orientation opens the account before its own reward is paid.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import DomainError
from core.event_seats import account_closed
from core.models import Event, EventView, Member
from core.views import load_member
from storage import events as event_rows
from storage import ledger as ledger_rows
from storage.db import Connection
from storage.timefmt import to_db

OPENS_BEFORE = timedelta(minutes=30)
CLOSES_AFTER = timedelta(hours=2)
CODE_DIGITS = 4
MAX_WRONG_CODES = 5


@dataclass(frozen=True)
class CheckinResult:
    view: EventView
    member: Member
    newly: bool
    reward_paid: int
    reward_withheld: str | None = None  # membership_suspended, orientation_needed, over_ceiling


@dataclass(frozen=True)
class Attendance:
    member: Member
    newly: bool
    reward_paid: int
    reward_withheld: str | None


def window(event: Event) -> tuple[datetime, datetime]:
    return event.starts_at - OPENS_BEFORE, event.ends_at + CLOSES_AFTER


def require_coordinator_window(event: Event, now: datetime) -> None:
    """The coordinator's list: not before the window opens, any time after (corrections)."""
    opens, _ = window(event)
    if now < opens:
        raise DomainError("checkin_not_yet", opens=opens)


def new_code(used: set[str], old: str | None) -> str:
    """A random code unlike the old one and, if possible, unlike other scheduled events'."""
    tries = 0
    while True:
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        tries += 1
        if code != old and (code not in used or tries > 50):
            return code


async def match_code(conn: Connection, membership_id: int, code: str, now: datetime
                     ) -> tuple[object | None, DomainError | None]:
    """The member's open sign-up the code belongs to, or the refusal to raise once the
    transaction has kept count of a wrong code (raising inside it would roll the count back).
    The row has the event's columns plus signup_id, membership_id, attended_at, wrong_codes."""
    open_rows = await event_rows.checkin_signups(conn, membership_id, to_db(now + OPENS_BEFORE),
                                                 to_db(now - CLOSES_AFTER))
    if not open_rows:
        upcoming = await event_rows.next_signed_event(conn, membership_id,
                                                      to_db(now - CLOSES_AFTER))
        if upcoming is None:
            return None, DomainError("checkin_nothing_open",
                                     minutes=int(OPENS_BEFORE.total_seconds() // 60))
        event = Event.from_row(upcoming)
        opens, closes = window(event)
        return None, DomainError("checkin_not_open", title=event.title, opens=opens,
                                 closes=closes)
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == CODE_DIGITS):
        return None, DomainError("checkin_code_invalid")
    for row in open_rows:
        if row["checkin_code"] == code:
            if row["attended_at"] is None and row["wrong_codes"] >= MAX_WRONG_CODES:
                return None, DomainError("checkin_locked")
            return row, None
    guessing = [row for row in open_rows if row["attended_at"] is None]
    if not guessing:  # already checked in everywhere open: nothing left to guess for
        return None, DomainError("checkin_code_invalid")
    unlocked = [row for row in guessing if row["wrong_codes"] < MAX_WRONG_CODES]
    if not unlocked:
        return None, DomainError("checkin_locked")
    await event_rows.add_wrong_code(conn, [row["signup_id"] for row in unlocked])
    left = MAX_WRONG_CODES - 1 - min(row["wrong_codes"] for row in unlocked)
    return None, DomainError("checkin_code_wrong", left=left)


async def record_attendance(conn: Connection, event: Event, signup_id: int,
                            membership_id: int, person_id: int, now: datetime) -> Attendance:
    """Mark attendance once; an orientation opens the account; the reward is paid only into
    an account that may be paid and has room under its ceiling."""
    member = await load_member(conn, membership_id)
    newly = await event_rows.mark_attended(conn, signup_id, to_db(now))
    paid, withheld = 0, None
    if newly and event.is_orientation:
        await event_rows.mark_oriented(conn, membership_id, to_db(now))
    if newly and event.reward and event.community_id is not None:
        payee = await ledger_rows.limits_and_balance(conn, membership_id)
        withheld = account_closed(payee)
        if withheld is None and payee["balance"] + event.reward > payee["credit_ceiling"]:
            withheld = "over_ceiling"
        if withheld is None:
            house = await ledger_rows.community_account(conn, event.community_id)
            transfer_id = await ledger_rows.insert_transfer(
                conn, community_id=event.community_id, payer_account_id=house["id"],
                payee_account_id=payee["account_id"], amount=event.reward, kind="pay",
                memo=event.title, reason=None, request_id=None, reverses_id=None,
                post_id=None, created_by_person_id=person_id, now=to_db(now),
                purpose="event_reward", event_id=event.id)
            await event_rows.set_signup_transfer(conn, signup_id, "reward_transfer_id",
                                                 transfer_id)
            paid = event.reward
    return Attendance(member, newly, paid, withheld)
