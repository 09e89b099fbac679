"""Loading members and requests into the typed views the channels render."""

from __future__ import annotations

import json

from core.errors import DomainError
from core.models import Community, Member, TradeRequest, TradeView, Transfer
from storage import communities as community_rows
from storage import ledger as ledger_rows
from storage import memberships as membership_rows
from storage.db import Connection


def member_from_row(row) -> Member:
    return Member.from_row(row, json.loads(row["addresses"] or "{}"))


async def load_member(conn: Connection, membership_id: int) -> Member:
    row = await membership_rows.member_view(conn, membership_id)
    if row is None:
        raise DomainError("member_not_found", ref=str(membership_id))
    return member_from_row(row)


async def load_community(conn: Connection, community_id: int) -> Community:
    row = await community_rows.get(conn, community_id)
    if row is None:
        raise DomainError("community_not_found", code=str(community_id))
    return Community.from_row(row)


async def load_trade(conn: Connection, request_id: int, *, newly_decided: bool) -> TradeView:
    row = await ledger_rows.get_request(conn, request_id)
    if row is None:
        raise DomainError("request_not_found")
    request = TradeRequest.from_row(row)
    transfer = None
    if request.transfer_id is not None:
        transfer_row = await ledger_rows.get_transfer(conn, request.transfer_id)
        transfer = Transfer.from_row(transfer_row) if transfer_row else None
    return TradeView(
        request=request,
        community=await load_community(conn, request.community_id),
        payer=await load_member(conn, request.payer_membership_id),
        payee=await load_member(conn, request.payee_membership_id),
        transfer=transfer,
        newly_decided=newly_decided,
    )
