"""SQL for statistics and exports. Months are Seoul months (UTC + 9 hours)."""

from __future__ import annotations

import sqlite3

from storage.db import Connection, fetch_all, fetch_one

# Trades are transfers between members; event fees, refunds and rewards, corrections and
# the transfers they corrected are left out.
_TRADES = (
    "FROM transfers t WHERE t.community_id = ? AND t.created_at >= ? AND t.created_at < ?"
    " AND t.kind <> 'reversal' AND t.purpose IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses_id = t.id)"
)


async def monthly(conn: Connection, community_id: int, start: str, end: str
                  ) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        "SELECT strftime('%Y-%m', t.created_at, '+9 hours') AS month, COUNT(*) AS trades,"
        " COALESCE(SUM(t.amount), 0) AS volume " + _TRADES + " GROUP BY month ORDER BY month",
        (community_id, start, end),
    )


async def totals(conn: Connection, community_id: int, start: str, end: str) -> sqlite3.Row:
    return await fetch_one(
        conn,
        "SELECT (SELECT COUNT(*) " + _TRADES + ") AS trades,"
        " (SELECT COALESCE(SUM(t.amount), 0) " + _TRADES + ") AS volume,"
        " (SELECT COUNT(*) FROM (SELECT t.payer_account_id AS account " + _TRADES
        + " UNION SELECT t.payee_account_id " + _TRADES + ")) AS active_members,"
        " (SELECT COUNT(*) FROM memberships WHERE community_id = ? AND number IS NOT NULL"
        "  AND decided_at >= ? AND decided_at < ?) AS new_members,"
        " (SELECT COUNT(*) FROM posts WHERE community_id = ? AND created_at >= ?"
        "  AND created_at < ?) AS posts,"
        " (SELECT COUNT(*) FROM event_signups s JOIN events e ON e.id = s.event_id"
        "  WHERE e.community_id = ? AND s.attended_at >= ? AND s.attended_at < ?) AS attendance",
        (community_id, start, end) * 7,
    )


async def transfers_between(conn: Connection, community_id: int, start: str, end: str
                            ) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        "SELECT t.id, t.created_at, t.kind, t.purpose, t.amount, t.memo, t.reason,"
        " t.reverses_id, pm.number AS payer_number, pp.display_name AS payer_name,"
        " ym.number AS payee_number, yp.display_name AS payee_name"
        " FROM transfers t JOIN accounts pa ON pa.id = t.payer_account_id"
        " JOIN accounts ya ON ya.id = t.payee_account_id"
        " LEFT JOIN memberships pm ON pm.id = pa.membership_id"
        " LEFT JOIN people pp ON pp.id = pm.person_id"
        " LEFT JOIN memberships ym ON ym.id = ya.membership_id"
        " LEFT JOIN people yp ON yp.id = ym.person_id"
        " WHERE t.community_id = ? AND t.created_at >= ? AND t.created_at < ? ORDER BY t.id",
        (community_id, start, end),
    )


async def member_rows(conn: Connection, community_id: int) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        "SELECT m.number, p.display_name, p.username, m.role, m.status, m.created_at,"
        " m.decided_at, a.balance, COALESCE(m.credit_floor, c.credit_floor) AS credit_floor,"
        " COALESCE(m.credit_ceiling, c.credit_ceiling) AS credit_ceiling"
        " FROM memberships m JOIN people p ON p.id = m.person_id"
        " JOIN communities c ON c.id = m.community_id"
        " LEFT JOIN accounts a ON a.membership_id = m.id WHERE m.community_id = ?"
        " ORDER BY m.number IS NULL, m.number",
        (community_id,),
    )


async def post_rows(conn: Connection, community_id: int, start: str, end: str
                    ) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        "SELECT po.id, po.created_at, po.kind, po.category, po.title, po.price, po.status,"
        " m.number AS author_number, p.display_name AS author_name FROM posts po"
        " JOIN memberships m ON m.id = po.author_membership_id"
        " JOIN people p ON p.id = m.person_id"
        " WHERE po.community_id = ? AND po.created_at >= ? AND po.created_at < ?"
        " ORDER BY po.id",
        (community_id, start, end),
    )


async def event_rows(conn: Connection, community_id: int, start: str, end: str
                     ) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        "SELECT e.id, e.kind, e.title, e.starts_at, e.ends_at, e.place, e.capacity, e.status,"
        " (SELECT COUNT(*) FROM event_signups s WHERE s.event_id = e.id"
        "  AND s.status = 'signed') AS signed_up,"
        " (SELECT COUNT(*) FROM event_signups s WHERE s.event_id = e.id"
        "  AND s.attended_at IS NOT NULL) AS attended"
        " FROM events e WHERE e.community_id = ? AND e.starts_at >= ? AND e.starts_at < ?"
        " ORDER BY e.starts_at",
        (community_id, start, end),
    )
