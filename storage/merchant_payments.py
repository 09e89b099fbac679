"""SQL for bills paid at a shop: the preview, the payment, the refund, the takings."""

from __future__ import annotations

from collections.abc import AsyncIterator

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row

_COLUMNS = (
    "mp.id, mp.request_key, mp.organisation_id, mp.community_id, mp.membership_id, mp.bill,"
    " mp.currency, mp.cash, mp.status, mp.created_at, mp.expires_at, mp.paid_at,"
    " mp.transfer_id, mp.refund_transfer_id, mp.refunded_at,"
    " m.number AS member_number, p.display_name AS member_name,"
    " EXISTS (SELECT 1 FROM transfers r WHERE r.reverses_id = mp.transfer_id) AS reversed"
)
_FROM = (" FROM merchant_payments mp JOIN memberships m ON m.id = mp.membership_id"
         " JOIN people p ON p.id = m.person_id")


async def insert(conn: Connection, *, request_key: str, organisation_id: int, community_id: int,
                 membership_id: int, bill: int, currency: int, now: str, expires_at: str
                 ) -> tuple[int, bool]:
    """(id, created); a repeated key returns the first preview unchanged."""
    row = await fetch_one(
        conn,
        "INSERT INTO merchant_payments (request_key, organisation_id, community_id,"
        " membership_id, bill, currency, cash, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_key) DO NOTHING RETURNING id",
        (request_key, organisation_id, community_id, membership_id, bill, currency,
         bill - currency, now, expires_at))
    if row is not None:
        return int(row[0]), True
    row = await fetch_one(conn, "SELECT id FROM merchant_payments WHERE request_key = ?",
                          (request_key,))
    return int(row[0]), False


async def get(conn: Connection, payment_id: int) -> Row | None:
    return await fetch_one(conn, f"SELECT {_COLUMNS}{_FROM} WHERE mp.id = ?", (payment_id,))


async def set_currency(conn: Connection, payment_id: int, currency: int) -> bool:
    """The member chose to pay less in currency; only while the preview waits."""
    cursor = await conn.execute(
        "UPDATE merchant_payments SET currency = ?, cash = bill - ? WHERE id = ?"
        " AND status = 'pending'", (currency, currency, payment_id))
    return cursor.rowcount == 1


async def mark_paid(conn: Connection, payment_id: int, transfer_id: int, now: str) -> bool:
    cursor = await conn.execute(
        "UPDATE merchant_payments SET status = 'paid', paid_at = ?, transfer_id = ?"
        " WHERE id = ? AND status = 'pending'", (now, transfer_id, payment_id))
    return cursor.rowcount == 1


async def close(conn: Connection, payment_id: int, status: str) -> bool:
    cursor = await conn.execute(
        "UPDATE merchant_payments SET status = ? WHERE id = ? AND status = 'pending'",
        (status, payment_id))
    return cursor.rowcount == 1


async def expire_due(conn: Connection, now: str, limit: int) -> int:
    """Previews past their time become 'expired' (at most `limit` at once); how many."""
    cursor = await conn.execute(
        "UPDATE merchant_payments SET status = 'expired' WHERE id IN (SELECT id FROM"
        " merchant_payments WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at"
        " LIMIT ?) AND status = 'pending'", (now, limit))
    return cursor.rowcount


async def retire_previews(conn: Connection, membership_id: int, organisation_id: int,
                          keep_id: int) -> None:
    """An older preview at the same shop expires when a new one is made, so a stale Confirm
    cannot pay a second bill."""
    await conn.execute(
        "UPDATE merchant_payments SET status = 'expired' WHERE membership_id = ?"
        " AND organisation_id = ? AND status = 'pending' AND id <> ?",
        (membership_id, organisation_id, keep_id))


async def newest_preview(conn: Connection, membership_id: int, now: str) -> Row | None:
    """The member's newest shop preview still waiting for Send and not yet out of time."""
    return await fetch_one(
        conn, f"SELECT {_COLUMNS}{_FROM} WHERE mp.membership_id = ? AND mp.status = 'pending'"
              " AND mp.expires_at > ? ORDER BY mp.id DESC LIMIT 1", (membership_id, now))


async def mark_refunded(conn: Connection, payment_id: int, transfer_id: int, now: str,
                        person_id: int) -> bool:
    cursor = await conn.execute(
        "UPDATE merchant_payments SET status = 'refunded', refund_transfer_id = ?,"
        " refunded_at = ?, refunded_by_person_id = ? WHERE id = ? AND status = 'paid'",
        (transfer_id, now, person_id, payment_id))
    return cursor.rowcount == 1


async def takings_totals(conn: Connection, organisation_id: int, start: str, end: str
                         ) -> Row:
    """Payments made between `start` and `end` (UTC text), neither refunded nor reversed by a
    coordinator: count and sums."""
    return await fetch_one(
        conn,
        "SELECT COUNT(*) AS count, COALESCE(SUM(currency), 0) AS currency,"
        " COALESCE(SUM(cash), 0) AS cash FROM merchant_payments mp WHERE organisation_id = ?"
        " AND paid_at >= ? AND paid_at < ? AND status = 'paid' AND NOT EXISTS (SELECT 1"
        " FROM transfers r WHERE r.reverses_id = mp.transfer_id)",
        (organisation_id, start, end))


async def takings(conn: Connection, organisation_id: int, start: str, end: str, limit: int,
                  offset: int) -> list[Row]:
    """Payments of the period (refunded and reversed ones too, marked), newest first."""
    return await fetch_all(
        conn, f"SELECT {_COLUMNS}{_FROM} WHERE mp.organisation_id = ? AND mp.paid_at >= ?"
              " AND mp.paid_at < ? ORDER BY mp.paid_at DESC, mp.id DESC LIMIT ? OFFSET ?",
        (organisation_id, start, end, limit, offset))


async def takings_chunks(conn: Connection, organisation_id: int, start: str, end: str,
                         size: int) -> AsyncIterator[list[Row]]:
    """The period's payments in the order they were made, `size` rows a query, each read
    from where the last stopped (exports never hold the whole period)."""
    after = 0
    while rows := await fetch_all(
        conn, f"SELECT {_COLUMNS}{_FROM} WHERE mp.organisation_id = ? AND mp.paid_at >= ?"
              " AND mp.paid_at < ? AND mp.id > ? ORDER BY mp.id LIMIT ?",
        (organisation_id, start, end, after, size)):
        yield list(rows)
        after = rows[-1]["id"]


async def mismatches(conn: Connection) -> list[Row]:
    """Payments whose transfer is not the currency part from the member to the shop, or
    whose refund does not give exactly that back (for `verify`)."""
    return await fetch_all(
        conn,
        "SELECT mp.id FROM merchant_payments mp"
        " JOIN accounts oa ON oa.organisation_id = mp.organisation_id"
        " JOIN accounts ma ON ma.membership_id = mp.membership_id"
        " LEFT JOIN transfers t ON t.id = mp.transfer_id"
        " LEFT JOIN transfers r ON r.id = mp.refund_transfer_id"
        " WHERE (mp.status IN ('paid', 'refunded') AND (t.id IS NULL OR t.amount <> mp.currency"
        "  OR t.payer_account_id <> ma.id OR t.payee_account_id <> oa.id"
        "  OR t.purpose IS DISTINCT FROM 'merchant'))"
        " OR (mp.status = 'refunded' AND (r.id IS NULL OR r.refunds_id IS DISTINCT FROM t.id"
        "  OR r.amount <> t.amount OR r.payer_account_id <> oa.id"
        "  OR r.payee_account_id <> ma.id))"
        " OR (mp.status NOT IN ('paid', 'refunded') AND mp.transfer_id IS NOT NULL)")


async def unlinked_transfers(conn: Connection) -> list[Row]:
    """Shop transfers no payment names (for `verify`): each `merchant` transfer is exactly one
    payment's transfer, each `merchant_refund` exactly one payment's refund (the unique
    columns hold "at most one"; this finds "none", e.g. a second transfer for one bill)."""
    return await fetch_all(
        conn,
        "SELECT t.id, t.purpose FROM transfers t WHERE (t.purpose = 'merchant' AND NOT EXISTS"
        " (SELECT 1 FROM merchant_payments mp WHERE mp.transfer_id = t.id))"
        " OR (t.purpose = 'merchant_refund' AND NOT EXISTS"
        " (SELECT 1 FROM merchant_payments mp WHERE mp.refund_transfer_id = t.id))"
        " ORDER BY t.id")
