"""A member who joins (or is approved) while a survey of their community is open is invited
to it too, if they are in its audience, as those who were members when it was sent: the
same invitation, queued in the same notice's outbox, in the transaction that makes them a
member. The invitation's key (survey, membership) makes it once: one who left and comes back
while the survey is still open is not invited a second time.

A survey for inactive members (no trade in its period) does not take newcomers: it asks
those who had stopped trading, and a newcomer has not stopped, they have not started yet.
A newcomer invited after the survey's reminder went out counts as reminded: the invitation
itself comes late enough, and a reminder right after it would be noise."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import notices as notice_rows
from storage import surveys as survey_rows
from storage.db import Connection
from storage.timefmt import from_db, to_db

NOT_FOR_NEWCOMERS = frozenset({"inactive"})


async def invite_newcomer(conn: Connection, community_id: int, membership_id: int,
                          now: datetime) -> int:
    """Inside the caller's write transaction, right after the membership became active: the
    number of open surveys the member was invited to now."""
    stamp = to_db(now)
    invited = 0
    for survey in await survey_rows.open_of_community(conn, community_id, stamp):
        if survey["audience"] in NOT_FOR_NEWCOMERS:
            continue
        since = None
        if survey["audience"] == "active":
            since = to_db(now - timedelta(days=survey["audience_days"] or 90))
        audience = {"audience": survey["audience"], "event_id": survey["audience_event_id"],
                    "since": since, "only": membership_id}
        if not await notice_rows.recipients(conn, community_id, include_muted=True,
                                            **audience):
            continue
        remind_at = from_db(survey["remind_at"])
        reminded = stamp if remind_at is not None and remind_at <= now else None
        if not await survey_rows.add_invite(conn, survey["id"], membership_id, stamp,
                                            reminded_at=reminded):
            continue  # invited before (they left and came back)
        invited += 1
        # Muted notices: invited (they may answer, /survey finds it) but not messaged.
        targets = [(row["membership_id"], row["channel"], row["chat_id"])
                   for row in await notice_rows.recipients(conn, community_id,
                                                           include_muted=False, **audience)]
        if targets and survey["notice_id"] is not None:
            await notice_rows.add_outbox(conn, survey["notice_id"], targets, stamp)
    return invited
