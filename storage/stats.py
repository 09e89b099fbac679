"""SQL for statistics and exports. Months are Seoul months (UTC + 9 hours). The roll-ups a
community shares are kept in stripes (migration 020): every read adds them up."""

from __future__ import annotations

from collections.abc import AsyncIterator

from storage.db import Connection, fetch_all, fetch_one
from storage.port import POSTGRESQL, Row, dialect

# Trades are transfers between members; event fees, refunds and rewards, corrections and
# the transfers they corrected are left out (the view stats_trades of migration 014, and
# ledger._roll_up one transfer at a time).


async def monthly(conn: Connection, community_id: int, first_month: str, last_month: str
                  ) -> list[Row]:
    """Trades and volume of each month from the roll-up, months as YYYY-MM (inclusive)."""
    return await fetch_all(
        conn,
        "SELECT month, SUM(trades) AS trades, SUM(volume) AS volume FROM stats_months"
        " WHERE community_id = ? AND month >= ? AND month <= ? GROUP BY month"
        " HAVING SUM(trades) > 0 ORDER BY month",
        (community_id, first_month, last_month),
    )


async def channel_months(conn: Connection, community_id: int, first_month: str,
                         last_month: str) -> list[Row]:
    """Trades and volume of each month and channel of circulation from the roll-up."""
    return await fetch_all(
        conn,
        "SELECT month, channel, SUM(trades) AS trades, SUM(volume) AS volume"
        " FROM stats_channels WHERE community_id = ? AND month >= ? AND month <= ?"
        " GROUP BY month, channel HAVING SUM(trades) > 0 ORDER BY month, channel",
        (community_id, first_month, last_month),
    )


async def totals(conn: Connection, community_id: int, period: str, first_month: str,
                 last_month: str, start: str, end: str) -> Row:
    """A period's figures: trades from the monthly roll-ups (months inclusive), its active
    members from the roll-up of `period` (a year YYYY, or 'all'), the rest counted from their
    tables between `start` and `end` (UTC text)."""
    return await fetch_one(
        conn,
        "SELECT (SELECT COALESCE(SUM(trades), 0) FROM stats_months WHERE community_id = ?"
        "  AND month >= ? AND month <= ?) AS trades,"
        " (SELECT COALESCE(SUM(volume), 0) FROM stats_months WHERE community_id = ?"
        "  AND month >= ? AND month <= ?) AS volume,"
        " (SELECT COALESCE(SUM(members), 0) FROM stats_active WHERE community_id = ?"
        "  AND period = ?) AS active_members,"
        " (SELECT COUNT(*) FROM memberships WHERE community_id = ? AND number IS NOT NULL"
        "  AND decided_at >= ? AND decided_at < ?) AS new_members,"
        " (SELECT COUNT(*) FROM posts WHERE community_id = ? AND created_at >= ?"
        "  AND created_at < ?) AS posts,"
        " (SELECT COUNT(*) FROM event_signups s JOIN events e ON e.id = s.event_id"
        "  WHERE e.community_id = ? AND s.attended_at >= ? AND s.attended_at < ?) AS attendance",
        (community_id, first_month, last_month) * 2 + (community_id, period)
        + (community_id, start, end) * 3,
    )


def _striped_differences(actual: str, kept_table: str, keys: tuple[str, ...],
                         measures: tuple[str, ...], kept_name: str = "rolled") -> str:
    """The groups where a striped roll-up (summed over its stripes) differs from `actual`,
    the same figures counted from the transfers; a group missing on one side counts as a
    difference, one summing to nothing on the kept side as missing."""
    on = " AND ".join(f"s.{key} = a.{key}" for key in keys)
    groups = ", ".join(f"COALESCE(a.{key}, s.{key}) AS {key}" for key in keys)
    sums = ", ".join(f"SUM({measure}) AS {measure}" for measure in measures)
    nonzero = " OR ".join(f"SUM({measure}) <> 0" for measure in measures)
    differ = " OR ".join(f"a.{m} IS DISTINCT FROM s.{m}" for m in measures)
    first = measures[0]
    return (
        f"WITH actual AS ({actual}) SELECT {groups}, a.{first} AS actual_{first},"
        f" s.{first} AS {kept_name}_{first} FROM actual a"
        f" FULL OUTER JOIN (SELECT {', '.join(keys)}, {sums} FROM {kept_table}"
        f" GROUP BY {', '.join(keys)} HAVING {nonzero}) s ON {on} WHERE {differ}"
    )


async def rollup_mismatches(conn: Connection) -> list[Row]:
    """Months whose roll-up differs from the transfers (for `verify`)."""
    return await fetch_all(conn, _striped_differences(
        "SELECT community_id, month, COUNT(*) AS trades, SUM(amount) AS volume"
        " FROM stats_trades GROUP BY community_id, month",
        "stats_months", ("community_id", "month"), ("trades", "volume")))


async def member_rollup_mismatches(conn: Connection) -> list[Row]:
    """Members whose count of trades in a period differs from the transfers (for `verify`)."""
    return await fetch_all(
        conn,
        "SELECT COALESCE(e.community_id, s.community_id) AS community_id,"
        " COALESCE(e.period, s.period) AS period, COALESCE(e.account_id, s.account_id)"
        " AS account_id, e.trades AS actual_trades, s.trades AS rolled_trades"
        " FROM stats_members_expected e FULL OUTER JOIN stats_members s"
        " ON s.community_id = e.community_id AND s.period = e.period"
        " AND s.account_id = e.account_id WHERE e.trades IS DISTINCT FROM s.trades",
    )


async def active_count_mismatches(conn: Connection) -> list[Row]:
    """Periods whose kept number of active members is not the number of their members' rows
    (which member_rollup_mismatches compares with the transfers), for `verify`."""
    return await fetch_all(conn, _striped_differences(
        "SELECT community_id, period, COUNT(*) AS members FROM stats_members"
        " GROUP BY community_id, period",
        "stats_active", ("community_id", "period"), ("members",), kept_name="kept"))


async def channel_rollup_mismatches(conn: Connection) -> list[Row]:
    """Months whose trades by channel differ from the transfers (migration 015)."""
    return await fetch_all(conn, _striped_differences(
        "SELECT community_id, month, channel, COUNT(*) AS trades, SUM(amount) AS volume"
        " FROM stats_channel_trades GROUP BY community_id, month, channel",
        "stats_channels", ("community_id", "month", "channel"), ("trades", "volume")))


async def _chunks(conn: Connection, sql: str, params: tuple, size: int
                  ) -> AsyncIterator[list[Row]]:
    """The rows of one statement, `size` at a time (one round trip each): an export holds a
    chunk in memory, never the whole table."""
    if dialect(conn) == POSTGRESQL:  # a server-side cursor, inside the snapshot's transaction
        async for rows in conn.chunks(sql, params, size):
            yield list(rows)
        return
    async with conn.execute(sql, params) as cursor:
        while rows := await cursor.fetchmany(size):
            yield list(rows)


async def transfer_count(conn: Connection, community_id: int, start: str, end: str) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM transfers WHERE community_id = ? AND created_at >= ?"
        " AND created_at < ?",
        (community_id, start, end),
    )
    return int(row[0])


# A transfer's channel of circulation, or NULL where /stats does not count it (a correction, a
# refund, a grant, a reward; a trade since reversed or refunded): read from the very view the
# roll-up is verified against (migration 015), one transfer at a time by its id.
_CHANNEL = "(SELECT c.channel FROM stats_channel_trades c WHERE c.id = t.id)"


def transfers_between(conn: Connection, community_id: int, start: str, end: str, size: int
                      ) -> AsyncIterator[list[Row]]:
    return _chunks(
        conn,
        "SELECT t.id, t.created_at, t.kind, t.purpose, t.amount, t.memo, t.reason,"
        " t.reverses_id, pm.number AS payer_number,"
        " COALESCE(pp.display_name, po.name) AS payer_name,"
        " ym.number AS payee_number, COALESCE(yp.display_name, yo.name) AS payee_name,"
        f" {_CHANNEL} AS channel"
        " FROM transfers t JOIN accounts pa ON pa.id = t.payer_account_id"
        " JOIN accounts ya ON ya.id = t.payee_account_id"
        " LEFT JOIN memberships pm ON pm.id = pa.membership_id"
        " LEFT JOIN people pp ON pp.id = pm.person_id"
        " LEFT JOIN memberships ym ON ym.id = ya.membership_id"
        " LEFT JOIN people yp ON yp.id = ym.person_id"
        " LEFT JOIN organisations po ON po.id = pa.organisation_id"
        " LEFT JOIN organisations yo ON yo.id = ya.organisation_id"
        " WHERE t.community_id = ? AND t.created_at >= ? AND t.created_at < ? ORDER BY t.id",
        (community_id, start, end), size,
    )


def member_rows(conn: Connection, community_id: int, size: int
                ) -> AsyncIterator[list[Row]]:
    return _chunks(
        conn,
        "SELECT m.number, p.display_name, p.username, m.role, m.status, m.created_at,"
        " m.decided_at, a.balance, COALESCE(m.credit_floor, c.credit_floor) AS credit_floor,"
        " COALESCE(m.credit_ceiling, c.credit_ceiling) AS credit_ceiling"
        " FROM memberships m JOIN people p ON p.id = m.person_id"
        " JOIN communities c ON c.id = m.community_id"
        " LEFT JOIN accounts a ON a.membership_id = m.id WHERE m.community_id = ?"
        " ORDER BY m.number IS NULL, m.number",
        (community_id,), size,
    )


def post_rows(conn: Connection, community_id: int, start: str, end: str, size: int
              ) -> AsyncIterator[list[Row]]:
    return _chunks(
        conn,
        "SELECT po.id, po.created_at, po.kind, po.category, po.title, po.price, po.status,"
        " m.number AS author_number, p.display_name AS author_name FROM posts po"
        " JOIN memberships m ON m.id = po.author_membership_id"
        " JOIN people p ON p.id = m.person_id"
        " WHERE po.community_id = ? AND po.created_at >= ? AND po.created_at < ?"
        " ORDER BY po.id",
        (community_id, start, end), size,
    )


def event_rows(conn: Connection, community_id: int, start: str, end: str, size: int
               ) -> AsyncIterator[list[Row]]:
    return _chunks(
        conn,
        "SELECT e.id, e.kind, e.title, e.starts_at, e.ends_at, e.place, e.capacity, e.status,"
        " (SELECT COUNT(*) FROM event_signups s WHERE s.event_id = e.id"
        "  AND s.status = 'signed') AS signed_up,"
        " (SELECT COUNT(*) FROM event_signups s WHERE s.event_id = e.id"
        "  AND s.attended_at IS NOT NULL) AS attended"
        " FROM events e WHERE e.community_id = ? AND e.starts_at >= ? AND e.starts_at < ?"
        " ORDER BY e.starts_at",
        (community_id, start, end), size,
    )
