"""SQL for accounts, trade requests, transfers and their movements."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import POSTGRESQL, SQLITE, Row, dialect, lock_for_update

_REQUEST_COLUMNS = (
    "id, request_key, community_id, kind, payer_membership_id, payee_membership_id, amount,"
    " memo, post_id, status, created_by_person_id, created_at, expires_at, remind_at,"
    " reminded_at, decided_at, transfer_id"
)

# The Seoul month (YYYY-MM) of a stored UTC timestamp, as each engine writes it.
_SEOUL_MONTH = {
    SQLITE: "strftime('%Y-%m', t.created_at, '+9 hours')",
    POSTGRESQL: "to_char(t.created_at::timestamp + interval '9 hours', 'YYYY-MM')",
}

# Rows of the community-wide roll-ups a transfer counts into (migration 020): on PostgreSQL,
# where payments run side by side, one of several picked by the transfer's id.
_STRIPES = {SQLITE: 1, POSTGRESQL: 8}

_TRANSFER_VIEW = (
    "SELECT t.*, pa.membership_id AS payer_membership_id,"
    " ya.membership_id AS payee_membership_id"
    " FROM transfers t JOIN accounts pa ON pa.id = t.payer_account_id"
    " JOIN accounts ya ON ya.id = t.payee_account_id"
)


async def insert_account(
    conn: Connection, community_id: int, membership_id: int | None, now: str
) -> int:
    inserted = await fetch_one(
        conn,
        "INSERT INTO accounts (community_id, membership_id, created_at) VALUES (?, ?, ?)"
        " RETURNING id",
        (community_id, membership_id, now),
    )
    return int(inserted[0])


async def account_of(conn: Connection, membership_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM accounts WHERE membership_id = ?", (membership_id,))


async def limits_and_balance(conn: Connection, membership_id: int) -> Row | None:
    """Balance with the limits in force: the member's own, else the community's."""
    return await fetch_one(
        conn,
        "SELECT a.id AS account_id, a.balance, m.status, m.community_id, m.role,"
        " c.orientation_required = 1 AND m.oriented_at IS NULL AND m.role <> 'coordinator'"
        " AS needs_orientation,"
        " COALESCE(m.credit_floor, c.credit_floor) AS credit_floor,"
        " COALESCE(m.credit_ceiling, c.credit_ceiling) AS credit_ceiling"
        " FROM memberships m JOIN accounts a ON a.membership_id = m.id"
        " JOIN communities c ON c.id = m.community_id WHERE m.id = ?",
        (membership_id,),
    )


async def balance_view(conn: Connection, membership_id: int) -> Row | None:
    """Balance, limits in force and who the member is, in one query."""
    return await fetch_one(
        conn,
        "SELECT a.balance, COALESCE(m.credit_floor, c.credit_floor) AS credit_floor,"
        " COALESCE(m.credit_ceiling, c.credit_ceiling) AS credit_ceiling,"
        " m.id AS membership_id, m.community_id, m.person_id, m.number, m.role, m.status,"
        " p.display_name, p.username, p.locale"
        " FROM memberships m JOIN accounts a ON a.membership_id = m.id"
        " JOIN communities c ON c.id = m.community_id JOIN people p ON p.id = m.person_id"
        " WHERE m.id = ?",
        (membership_id,),
    )


async def insert_request(
    conn: Connection,
    *,
    request_key: str,
    community_id: int,
    kind: str,
    payer_membership_id: int,
    payee_membership_id: int,
    amount: int,
    memo: str | None,
    post_id: int | None,
    created_by_person_id: int,
    now: str,
    expires_at: str,
    remind_at: str | None,
) -> tuple[int, bool]:
    """Return (id, created); a repeated key returns the first request unchanged."""
    row = await fetch_one(
        conn,
        "INSERT INTO trade_requests (request_key, community_id, kind, payer_membership_id,"
        " payee_membership_id, amount, memo, post_id, created_by_person_id, created_at,"
        " expires_at, remind_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (request_key) DO NOTHING RETURNING id",
        (
            request_key,
            community_id,
            kind,
            payer_membership_id,
            payee_membership_id,
            amount,
            memo,
            post_id,
            created_by_person_id,
            now,
            expires_at,
            remind_at,
        ),
    )
    if row is not None:
        return int(row[0]), True
    existing = await fetch_one(
        conn, "SELECT id FROM trade_requests WHERE request_key = ?", (request_key,)
    )
    return int(existing[0]), False


async def get_request(conn: Connection, request_id: int, *, lock: bool = False
                      ) -> Row | None:
    """The request; with `lock`, locked until the transaction ends (storage/port.py)."""
    return await fetch_one(
        conn, f"SELECT {_REQUEST_COLUMNS} FROM trade_requests WHERE id = ?"
        + (lock_for_update(conn) if lock else ""), (request_id,)
    )


async def lock_previews_of(conn: Connection, payer_membership_id: int) -> None:
    """Open the payer's pay previews one at a time: a new preview retires the older ones to
    the same payee, a decision on rows another transaction may be adding that no row lock
    can cover, so the payer's membership row is the lock (NO KEY UPDATE: foreign-key checks
    of other transactions do not wait on it, and no other `locks_rows` transaction takes
    it). Nothing to do on SQLite, whose writer runs alone."""
    if dialect(conn) == SQLITE:
        return
    await fetch_all(conn, "SELECT id FROM memberships WHERE id = ? FOR NO KEY UPDATE",
                    (payer_membership_id,))


async def lock_accounts_of(conn: Connection, membership_ids: list[int]) -> None:
    """Lock the members' accounts until the transaction ends, in the order of their ids (the
    one order every `locks_rows` transaction takes them in, so two never wait on each
    other). Nothing to do on SQLite, whose writer runs alone."""
    if dialect(conn) == SQLITE:
        return
    await fetch_all(
        conn, "SELECT id FROM accounts WHERE membership_id IN ("
        + ", ".join("?" * len(membership_ids)) + ") ORDER BY id" + lock_for_update(conn),
        membership_ids,
    )


async def close_request(
    conn: Connection, request_id: int, status: str, now: str, transfer_id: int | None = None
) -> bool:
    """Guarded state change: only a pending request moves, and only once."""
    cursor = await conn.execute(
        "UPDATE trade_requests SET status = ?, decided_at = ?, transfer_id = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, now, transfer_id, request_id),
    )
    return cursor.rowcount == 1


async def retire_previews(
    conn: Connection, payer_membership_id: int, payee_membership_id: int, keep_id: int, now: str
) -> int:
    """Older pending pay previews between the same two members expire when a new one is made,
    so a stale Confirm cannot pay a second time. Guarded like every other state change."""
    cursor = await conn.execute(
        "UPDATE trade_requests SET status = 'expired', decided_at = ?"
        " WHERE kind = 'pay' AND status = 'pending' AND payer_membership_id = ?"
        " AND payee_membership_id = ? AND id <> ?",
        (now, payer_membership_id, payee_membership_id, keep_id),
    )
    return cursor.rowcount


async def insert_transfer(
    conn: Connection,
    *,
    community_id: int,
    payer_account_id: int,
    payee_account_id: int,
    amount: int,
    kind: str,
    memo: str | None,
    reason: str | None,
    request_id: int | None,
    reverses_id: int | None,
    post_id: int | None,
    created_by_person_id: int,
    now: str,
    purpose: str | None = None,
    event_id: int | None = None,
    refunds_id: int | None = None,
) -> int:
    """Write the transfer, its two movements and both cached balances; `refunds_id` names the
    transfer a refund gives back (a shop's payment, an event's fee)."""
    inserted = await fetch_one(
        conn,
        "INSERT INTO transfers (community_id, payer_account_id, payee_account_id, amount, kind,"
        " memo, reason, request_id, reverses_id, post_id, created_by_person_id, created_at,"
        " purpose, event_id, refunds_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (
            community_id,
            payer_account_id,
            payee_account_id,
            amount,
            kind,
            memo,
            reason,
            request_id,
            reverses_id,
            post_id,
            created_by_person_id,
            now,
            purpose,
            event_id,
            refunds_id,
        ),
    )
    transfer_id = int(inserted[0])
    await conn.executemany(
        "INSERT INTO movements (transfer_id, account_id, amount) VALUES (?, ?, ?)",
        ((transfer_id, payer_account_id, -amount), (transfer_id, payee_account_id, amount)),
    )
    await conn.execute(
        "UPDATE accounts SET balance = balance + CASE id WHEN ? THEN CAST(? AS BIGINT)"
        " ELSE CAST(? AS BIGINT) END,"
        " last_trade_at = CASE WHEN last_trade_at > ? THEN last_trade_at ELSE ? END"
        " WHERE id IN (?, ?)",
        (payer_account_id, -amount, amount, now, now, payer_account_id, payee_account_id),
    )
    if kind != "reversal" and purpose is None:
        await _roll_up(conn, transfer_id, +1)
    elif reverses_id is not None:
        await _roll_up(conn, reverses_id, -1)
    undone = reverses_id if reverses_id is not None else refunds_id
    await _roll_up_channel(conn, undone if undone is not None else transfer_id,
                           -1 if undone is not None else +1)
    return transfer_id


async def _roll_up_channel(conn: Connection, transfer_id: int, sign: int) -> None:
    """Count a transfer into its channel of circulation and Seoul month (+1), or take one
    that was corrected or refunded out (-1); transfers of no channel change nothing (see
    migration 015). One row by key, whatever the size of the ledger."""
    row = await fetch_one(
        conn, "SELECT community_id, month, channel, amount FROM stats_channel_candidates"
        " WHERE id = ?", (transfer_id,))
    if row is None:
        return
    await conn.execute(
        "INSERT INTO stats_channels (community_id, month, channel, stripe, trades, volume)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community_id, month, channel, stripe)"
        " DO UPDATE SET trades = stats_channels.trades + excluded.trades,"
        " volume = stats_channels.volume + excluded.volume",
        (row["community_id"], row["month"], row["channel"], _stripe(conn, transfer_id), sign,
         sign * row["amount"]),
    )


def _stripe(conn: Connection, transfer_id: int) -> int:
    """The roll-up stripe a transfer counts into; taking it out again uses the same one."""
    return transfer_id % _STRIPES[dialect(conn)]


async def _roll_up(conn: Connection, trade_id: int, sign: int) -> None:
    """Count a trade into its Seoul month (sign +1), or take a corrected one out (-1): the
    month's trades and volume, and each member side's count in the month, the year and all
    time (see migration 014). Every statement reaches its rows by key, so the cost does not
    grow with the members or the transfers."""
    original = await fetch_one(
        conn,
        f"SELECT t.community_id, {_SEOUL_MONTH[dialect(conn)]} AS month, t.amount,"
        " t.kind, t.purpose, pa.membership_id IS NOT NULL AS payer_member, t.payer_account_id,"
        " ya.membership_id IS NOT NULL AS payee_member, t.payee_account_id"
        " FROM transfers t JOIN accounts pa ON pa.id = t.payer_account_id"
        " JOIN accounts ya ON ya.id = t.payee_account_id WHERE t.id = ?",
        (trade_id,),
    )
    if original["kind"] == "reversal" or original["purpose"] is not None:
        return
    community, month = original["community_id"], original["month"]
    stripe = _stripe(conn, trade_id)
    await conn.execute(
        "INSERT INTO stats_months (community_id, month, stripe, trades, volume)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (community_id, month, stripe) DO UPDATE"
        " SET trades = stats_months.trades + excluded.trades,"
        " volume = stats_months.volume + excluded.volume",
        (community, month, stripe, sign, sign * original["amount"]),
    )
    accounts = [original[f"{side}_account_id"] for side in ("payer", "payee")
                if original[f"{side}_member"]]
    if not accounts:
        return
    periods = (month, month[:4], "all")
    keys = [(community, period, account) for period in periods for account in accounts]
    if sign > 0:
        rows = await fetch_all(
            conn,
            "INSERT INTO stats_members (community_id, period, account_id, trades) VALUES "
            + ", ".join(["(?, ?, ?, 1)"] * len(keys))
            + " ON CONFLICT (community_id, period, account_id) DO UPDATE"
            " SET trades = stats_members.trades + 1 RETURNING period, trades",
            [value for key in keys for value in key],
        )
        changed = [row["period"] for row in rows if row["trades"] == 1]  # newly active
    else:
        where = (
            " WHERE community_id = ? AND period IN (?, ?, ?) AND account_id IN ("
            + ", ".join(["?"] * len(accounts)) + ")"
        )
        params = [community, *periods, *accounts]
        rows = await fetch_all(
            conn, "DELETE FROM stats_members" + where + " AND trades = 1 RETURNING period",
            params,
        )
        changed = [row["period"] for row in rows]  # their only trade in the period went
        await conn.execute("UPDATE stats_members SET trades = trades - 1" + where, params)
    if changed:
        counts = {period: changed.count(period) * sign for period in dict.fromkeys(changed)}
        await conn.execute(
            "INSERT INTO stats_active (community_id, period, stripe, members) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(counts))
            + " ON CONFLICT (community_id, period, stripe) DO UPDATE"
            " SET members = stats_active.members + excluded.members",
            [value for period, count in counts.items()
             for value in (community, period, stripe, count)],
        )


async def get_transfer(conn: Connection, transfer_id: int) -> Row | None:
    return await fetch_one(conn, _TRANSFER_VIEW + " WHERE t.id = ?", (transfer_id,))


async def reversal_of(conn: Connection, transfer_id: int) -> Row | None:
    return await fetch_one(conn, _TRANSFER_VIEW + " WHERE t.reverses_id = ?", (transfer_id,))


async def refund_of(conn: Connection, transfer_id: int) -> Row | None:
    return await fetch_one(conn, _TRANSFER_VIEW + " WHERE t.refunds_id = ?", (transfer_id,))


async def event_fee_refunded(conn: Connection, fee: Row) -> bool:
    """Whether the event flow refunded this fee: a refund to the same account for the same
    event after the fee and before that account's next fee for it (sign-ups can repeat)."""
    row = await fetch_one(
        conn,
        "SELECT 1 FROM transfers r WHERE r.purpose = 'event_refund' AND r.event_id = ?"
        " AND r.payee_account_id = ? AND r.id > ? AND r.id < COALESCE((SELECT MIN(f.id)"
        " FROM transfers f WHERE f.purpose = 'event_fee' AND f.event_id = ?"
        " AND f.payer_account_id = ? AND f.id > ?), r.id + 1) LIMIT 1",
        (fee["event_id"], fee["payer_account_id"], fee["id"], fee["event_id"],
         fee["payer_account_id"], fee["id"]),
    )
    return row is not None


async def history(
    conn: Connection, membership_id: int, limit: int, *, before: int | None = None,
    after: int | None = None,
) -> list[Row]:
    """A member's movements, newest first, with the other side of each transfer, a
    correction's reason and links, and the account's balance on every row. Paged by the
    movement id (the statement's order): `before` gives the older ones, `after` the newer
    ones, nearest first (so oldest first): each page reads its own rows from the index."""
    if after is not None:
        bound, order, params = " WHERE m.id > ?", "ASC", (membership_id, after, limit)
    elif before is not None:
        bound, order, params = " WHERE m.id < ?", "DESC", (membership_id, before, limit)
    else:
        bound, order, params = "", "DESC", (membership_id, limit)
    return await fetch_all(
        conn,
        "WITH acct AS (SELECT id, balance FROM accounts WHERE membership_id = ?)"
        " SELECT m.id AS movement_id, m.transfer_id, m.amount, t.kind, t.purpose, t.memo,"
        " t.reason, t.reverses_id, t.created_at, acct.balance,"
        " (SELECT r.id FROM transfers r WHERE r.reverses_id = t.id) AS reversed_by,"
        " om.number AS counterparty_number, p.display_name AS counterparty_name,"
        " og.name AS counterparty_organisation"
        " FROM acct JOIN movements m ON m.account_id = acct.id"
        " JOIN transfers t ON t.id = m.transfer_id"
        # The other side from the transfer's own columns, not its other movement: two fewer
        # index lookups a row (verify proves every transfer's movements are exactly these).
        " JOIN accounts oa ON oa.id = CASE WHEN t.payer_account_id = acct.id"
        " THEN t.payee_account_id ELSE t.payer_account_id END"
        " LEFT JOIN memberships om ON om.id = oa.membership_id"
        " LEFT JOIN people p ON p.id = om.person_id"
        " LEFT JOIN organisations og ON og.id = oa.organisation_id"
        f"{bound} ORDER BY m.id {order} LIMIT ?",
        params,
    )


async def open_requests_of(
    conn: Connection, membership_id: int, limit: int, offset: int
) -> list[Row]:
    return await fetch_all(
        conn,
        f"SELECT {_REQUEST_COLUMNS} FROM trade_requests WHERE status = 'pending'"
        " AND kind = 'charge' AND (payer_membership_id = ? OR payee_membership_id = ?)"
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        (membership_id, membership_id, limit, offset),
    )


async def newest_preview(
    conn: Connection, payer_membership_id: int, now: str
) -> Row | None:
    """The payer's newest pay preview still waiting for Confirm and not yet out of time."""
    return await fetch_one(
        conn,
        f"SELECT {_REQUEST_COLUMNS} FROM trade_requests WHERE kind = 'pay'"
        " AND status = 'pending' AND payer_membership_id = ? AND expires_at > ?"
        " ORDER BY id DESC LIMIT 1",
        (payer_membership_id, now),
    )


async def charges_awaiting(
    conn: Connection, payer_membership_id: int, now: str, limit: int
) -> list[Row]:
    """Charges waiting for this payer's answer, newest first."""
    return await fetch_all(
        conn,
        f"SELECT {_REQUEST_COLUMNS} FROM trade_requests WHERE kind = 'charge'"
        " AND status = 'pending' AND payer_membership_id = ? AND expires_at > ?"
        " ORDER BY id DESC LIMIT ?",
        (payer_membership_id, now, limit),
    )


async def due_expiries(conn: Connection, now: str, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        f"SELECT {_REQUEST_COLUMNS} FROM trade_requests WHERE status = 'pending'"
        " AND expires_at <= ? ORDER BY expires_at LIMIT ?",
        (now, limit),
    )


async def community_account(conn: Connection, community_id: int) -> Row:
    return await fetch_one(
        conn, "SELECT * FROM accounts WHERE community_id = ? AND membership_id IS NULL"
        " AND organisation_id IS NULL",
        (community_id,),
    )


async def organisation_account(conn: Connection, organisation_id: int) -> Row | None:
    return await fetch_one(
        conn, "SELECT * FROM accounts WHERE organisation_id = ?", (organisation_id,))


async def organisation_balance(conn: Connection, account_id: int) -> int | None:
    """The balance of an organisation's account; None for a member's or the community's."""
    row = await fetch_one(
        conn, "SELECT balance FROM accounts WHERE id = ? AND organisation_id IS NOT NULL",
        (account_id,))
    return None if row is None else int(row["balance"])


async def organisation_of_account(conn: Connection, account_id: int) -> Row | None:
    """The organisation (id, name) holding this account, if one does."""
    return await fetch_one(
        conn, "SELECT o.id, o.name FROM accounts a JOIN organisations o"
              " ON o.id = a.organisation_id WHERE a.id = ?", (account_id,))
