"""SQL that recomputes the ledger from its movements, for `pumasi verify`."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import POSTGRESQL, Row, dialect
from storage.search_terms import pg_terms, post_search_terms


async def community_sums(conn: Connection) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT c.id, c.code, COALESCE(SUM(a.balance), 0) AS total, COUNT(a.id) AS accounts"
        " FROM communities c LEFT JOIN accounts a ON a.community_id = c.id GROUP BY c.id",
    )


async def cache_mismatches(conn: Connection) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT a.id AS account_id, a.community_id, a.membership_id, a.balance AS cached,"
        " COALESCE(SUM(m.amount), 0) AS recomputed FROM accounts a"
        " LEFT JOIN movements m ON m.account_id = a.id GROUP BY a.id"
        " HAVING a.balance <> COALESCE(SUM(m.amount), 0)",
    )


_MATCHING = (
    "SUM(CASE WHEN m.account_id = t.payer_account_id AND m.amount = -t.amount THEN 1"
    " WHEN m.account_id = t.payee_account_id AND m.amount = t.amount THEN 1 ELSE 0 END)"
)


async def malformed_transfers(conn: Connection) -> list[Row]:
    """Transfers whose movements are not exactly -amount on the payer and +amount on the payee."""
    return await fetch_all(
        conn,
        "SELECT t.id, t.community_id, t.amount, COUNT(m.id) AS movements,"
        " COALESCE(SUM(m.amount), 0) AS net,"
        " " + _MATCHING + " AS matching"
        " FROM transfers t LEFT JOIN movements m ON m.transfer_id = t.id GROUP BY t.id"
        " HAVING COUNT(m.id) <> 2 OR COALESCE(SUM(m.amount), 0) <> 0 OR " + _MATCHING + " <> 2",
    )


async def cross_community_transfers(conn: Connection) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT t.id FROM transfers t JOIN accounts pa ON pa.id = t.payer_account_id"
        " JOIN accounts ya ON ya.id = t.payee_account_id"
        " WHERE pa.community_id <> t.community_id OR ya.community_id <> t.community_id",
    )


async def accounts_outside_limits(conn: Connection) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT a.id AS account_id, a.community_id, m.number, a.balance,"
        " COALESCE(m.credit_floor, c.credit_floor) AS credit_floor,"
        " COALESCE(m.credit_ceiling, c.credit_ceiling) AS credit_ceiling"
        " FROM accounts a JOIN memberships m ON m.id = a.membership_id"
        " JOIN communities c ON c.id = a.community_id"
        " WHERE a.balance < COALESCE(m.credit_floor, c.credit_floor)"
        "    OR a.balance > COALESCE(m.credit_ceiling, c.credit_ceiling)",
    )


async def last_trade_mismatches(conn: Connection) -> list[Row]:
    """Accounts whose kept time of their newest transfer is not the newest transfer's."""
    return await fetch_all(
        conn,
        "SELECT a.id AS account_id, a.last_trade_at AS kept, x.newest FROM accounts a"
        " LEFT JOIN (SELECT mv.account_id, MAX(t.created_at) AS newest FROM movements mv"
        "  JOIN transfers t ON t.id = mv.transfer_id GROUP BY mv.account_id) x"
        " ON x.account_id = a.id WHERE a.last_trade_at IS DISTINCT FROM x.newest",
    )


async def search_index_mismatches(conn: Connection) -> list[Row]:
    """Posts the market's search index holds wrongly: an open post missing or with other
    terms than its text gives, a post that is not open (or no longer exists) still in it."""
    if dialect(conn) == POSTGRESQL:
        return await _pg_search_index_mismatches(conn)
    return await fetch_all(
        conn,
        "SELECT p.id AS post_id, p.status, s.rowid IS NOT NULL AS indexed FROM posts p"
        " LEFT JOIN posts_search s ON s.rowid = p.id"
        " WHERE (p.status = 'open') <> (s.rowid IS NOT NULL) OR (s.rowid IS NOT NULL AND"
        "  s.terms IS NOT post_search_terms(p.community_id, p.category, p.title, p.description))"
        " UNION ALL SELECT s.rowid, NULL, 1 FROM posts_search s"
        " WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = s.rowid)",
    )


async def _pg_search_index_mismatches(conn: Connection) -> list[Row]:
    """The same on PostgreSQL, whose index has no post_search_terms: the open posts' terms are
    made here and compared in one statement."""
    wrong = list(await fetch_all(
        conn,
        "SELECT p.id AS post_id, p.status, s.post_id IS NOT NULL AS indexed FROM posts p"
        " LEFT JOIN posts_search s ON s.post_id = p.id"
        " WHERE (p.status = 'open') <> (s.post_id IS NOT NULL)",
    ))
    indexed = await fetch_all(
        conn,
        "SELECT p.id, p.community_id, p.category, p.title, p.description FROM posts p"
        " JOIN posts_search s ON s.post_id = p.id WHERE p.status = 'open'",
    )
    if indexed:
        wrong += await fetch_all(
            conn,
            "SELECT x.id AS post_id, 'open' AS status, true AS indexed"
            " FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[])) AS x(id, terms)"
            " JOIN posts_search s ON s.post_id = x.id"
            " WHERE s.terms <> CAST(x.terms AS tsvector)",
            ([row["id"] for row in indexed],
             [pg_terms(post_search_terms(row["community_id"], row["category"], row["title"],
                                         row["description"])) for row in indexed]),
        )
    return wrong


async def last_movement_towards(
    conn: Connection, account_id: int, negative: bool
) -> Row | None:
    """The latest movement that pushed the account down (or up), with the balance after it."""
    sign = "<" if negative else ">"
    return await fetch_one(
        conn,
        f"SELECT m.id, m.amount, t.kind, t.purpose, t.created_at,"
        f" (SELECT balance FROM accounts WHERE id = ?) -"
        f" COALESCE((SELECT SUM(later.amount) FROM movements later"
        f"  WHERE later.account_id = ? AND later.id > m.id), 0) AS balance_after"
        f" FROM movements m JOIN transfers t ON t.id = m.transfer_id"
        f" WHERE m.account_id = ? AND m.amount {sign} 0 ORDER BY m.id DESC LIMIT 1",
        (account_id, account_id, account_id),
    )


async def limit_changes_since(conn: Connection, community_id: int, since: str) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM audit_log WHERE community_id = ? AND action = 'limit_change'"
        " AND created_at >= ?",
        (community_id, since),
    )
    return int(row[0])


async def integrity(conn: Connection) -> str:
    if dialect(conn) == POSTGRESQL:
        return "ok"  # PostgreSQL checks its own pages (checksums); the ledger is checked here
    row = await fetch_one(conn, "PRAGMA integrity_check")
    return str(row[0])


async def account_balances(conn: Connection) -> list[tuple[int, int, int]]:
    """(account, community, balance) of every account, for comparing two copies."""
    rows = await fetch_all(conn, "SELECT id, community_id, balance FROM accounts ORDER BY id")
    return [(int(row[0]), int(row[1]), int(row[2])) for row in rows]


async def row_count(conn: Connection, table: str) -> int:
    row = await fetch_one(conn, f"SELECT COUNT(*) FROM {table}")
    return int(row[0])


async def organisation_account_problems(conn: Connection) -> list[Row]:
    """Organisations that take payments without exactly one account in their own community,
    and organisation accounts below 0: they only take payments and fees and give the same ones
    back, so nothing else can put them there (for `verify`)."""
    return await fetch_all(
        conn,
        "SELECT o.id, o.number, o.community_id, a.id AS account_id, a.balance"
        " FROM organisations o LEFT JOIN accounts a ON a.organisation_id = o.id"
        " WHERE (o.status IN ('active', 'suspended') AND a.id IS NULL)"
        " OR a.community_id <> o.community_id OR a.membership_id IS NOT NULL"
        " OR a.balance < 0",
    )


async def refund_mismatches(conn: Connection) -> list[Row]:
    """Refunds (a shop's, an event's) that do not give back exactly what they name: the same
    amount, the accounts swapped, a shop payment for a shop refund and an event fee for an
    event refund; and shop refunds that name nothing. (Event refunds made before migration 015
    name nothing and are left alone.)"""
    return await fetch_all(
        conn,
        "SELECT r.id, r.refunds_id FROM transfers r LEFT JOIN transfers o ON o.id = r.refunds_id"
        " WHERE (r.refunds_id IS NOT NULL AND (o.id IS NULL OR r.amount <> o.amount"
        "  OR r.payer_account_id <> o.payee_account_id"
        "  OR r.payee_account_id <> o.payer_account_id"
        "  OR NOT ((r.purpose = 'merchant_refund' AND o.purpose = 'merchant')"
        "   OR (r.purpose = 'event_refund' AND o.purpose = 'event_fee'))))"
        " OR (r.purpose = 'merchant_refund' AND r.refunds_id IS NULL) ORDER BY r.id")
