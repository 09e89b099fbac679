"""Recompute the ledger from its movements and prove the invariants."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage import merchant_payments as payment_rows
from storage import stats as stats_rows
from storage import verify as verify_rows
from storage.db import Database


@dataclass
class VerifyReport:
    communities: int = 0
    accounts: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def balances_sum_to_zero(db: Database) -> VerifyReport:
    """The cheap part of `verify_ledger`: one pass over the accounts."""
    report = VerifyReport()
    async with db.long_read() as conn:
        await _check_sums(conn, report)
    return report


async def _check_sums(conn, report: VerifyReport) -> None:
    for row in await verify_rows.community_sums(conn):
        report.communities += 1
        report.accounts += row["accounts"]
        if row["total"] != 0:
            report.problems.append(
                f"community {row['code']}: balances sum to {row['total']}, not 0"
            )


async def verify_ledger(db: Database) -> VerifyReport:
    report = VerifyReport()
    async with db.snapshot() as conn:
        integrity = await verify_rows.integrity(conn)
        if integrity != "ok":
            report.problems.append(f"SQLite integrity_check: {integrity}")
        await _check_sums(conn, report)
        for row in await verify_rows.cache_mismatches(conn):
            report.problems.append(
                f"account {row['account_id']}: cached balance {row['cached']} but movements"
                f" add up to {row['recomputed']}"
            )
        for row in await verify_rows.malformed_transfers(conn):
            report.problems.append(
                f"transfer {row['id']}: {row['movements']} movements netting {row['net']}"
                f" ({row['matching']} match the transfer)"
            )
        for row in await verify_rows.cross_community_transfers(conn):
            report.problems.append(f"transfer {row['id']}: crosses communities")
        for row in await stats_rows.rollup_mismatches(conn):
            report.problems.append(
                f"community {row['community_id']} month {row['month']}: statistics count"
                f" {row['rolled_trades']} trades but the transfers hold {row['actual_trades']}"
            )
        for row in await stats_rows.member_rollup_mismatches(conn):
            report.problems.append(
                f"community {row['community_id']} period {row['period']}: statistics count"
                f" {row['rolled_trades'] or 0} trades for account {row['account_id']} but the"
                f" transfers hold {row['actual_trades'] or 0}"
            )
        for row in await stats_rows.active_count_mismatches(conn):
            report.problems.append(
                f"community {row['community_id']} period {row['period']}: statistics count"
                f" {row['kept_members'] or 0} active members but their trades show"
                f" {row['actual_members'] or 0}"
            )
        for row in await verify_rows.last_trade_mismatches(conn):
            report.problems.append(
                f"account {row['account_id']}: last trade kept as {row['kept']} but its newest"
                f" transfer is from {row['newest']}"
            )
        for row in await verify_rows.search_index_mismatches(conn):
            state = "missing from" if not row["indexed"] else "out of date in"
            if row["indexed"] and row["status"] != "open":
                state = "not open but still in"
            report.problems.append(f"post {row['post_id']}: {state} the market search index")
        for row in await verify_rows.accounts_outside_limits(conn):
            await _explain_limit_breach(conn, row, report)
        await _verify_organisations(conn, report)
    return report


async def _verify_organisations(conn, report: VerifyReport) -> None:
    """Shops' and institutions' accounts, their payments' split, trades by channel."""
    for row in await verify_rows.organisation_account_problems(conn):
        report.problems.append(
            f"organisation {row['id']} (shop {row['number']}): account {row['account_id']}"
            f" is missing, in another community or below 0"
            f" (balance {row['balance']})")
    for row in await payment_rows.mismatches(conn):
        report.problems.append(
            f"shop payment {row['id']}: its transfers do not match the currency part")
    for row in await payment_rows.unlinked_transfers(conn):
        what = "refund" if row["purpose"] == "merchant_refund" else "payment"
        report.problems.append(
            f"transfer {row['id']}: a shop {what} that no shop payment names")
    for row in await verify_rows.refund_mismatches(conn):
        report.problems.append(
            f"transfer {row['id']}: a refund that does not give back transfer"
            f" {row['refunds_id']} exactly")
    for row in await stats_rows.channel_rollup_mismatches(conn):
        report.problems.append(
            f"community {row['community_id']} month {row['month']} {row['channel']}:"
            f" statistics count {row['rolled_trades'] or 0} trades but the transfers hold"
            f" {row['actual_trades'] or 0}")


async def _explain_limit_breach(conn, row, report: VerifyReport) -> None:
    """A balance outside its limits is fine when a reversal put it there, or when the limit
    was made stricter afterwards; a payment that crossed a limit is a broken invariant."""
    below = row["balance"] < row["credit_floor"]
    limit = row["credit_floor"] if below else row["credit_ceiling"]
    where = f"account {row['account_id']} (#{row['number']}): balance {row['balance']}"
    movement = await verify_rows.last_movement_towards(conn, row["account_id"], negative=below)
    crossed = movement is not None and (
        movement["balance_after"] < limit if below else movement["balance_after"] > limit
    )
    if not crossed:
        report.notes.append(f"{where} outside limit {limit}: limit changed later")
        return
    if movement["kind"] == "reversal" or movement["purpose"] in ("event_refund",
                                                                 "merchant_refund"):
        report.notes.append(f"{where} outside limit {limit}: put there by a correction")
        return
    if await verify_rows.limit_changes_since(conn, row["community_id"], movement["created_at"]):
        report.notes.append(f"{where} outside limit {limit}: limit changed since")
        return
    report.problems.append(f"{where} is outside limit {limit} after a {movement['kind']}")
