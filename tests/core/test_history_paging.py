"""The statement is paged by cursor: walking it older and back newer shows every entry once,
in order, however many share a timestamp; the buttons carry the cursor in a few bytes."""

from __future__ import annotations

import re
from datetime import timedelta

from conversation import keyboards
from conversation.i18n import translator
from core.ledger import HISTORY_PAGE_SIZE
from storage import ledger as ledger_rows
from tests.conftest import KIM, LEE
from tests.support import seed_community


async def trade_a_lot(services, clock, count: int, *, same_time: bool) -> None:
    """Pays both ways, charges and a reversal, between members #1, #2 and #3."""
    kim, lee, _ = await seed_community(services, members=3)
    for index in range(count):
        payer, payee = (lee, 1) if index % 3 else (kim, 2)
        if index % 5 == 4:
            view = await services.ledger.start_trade(
                kim, kind="charge", counterparty="#2", amount=10 + index, memo=None,
                request_key=f"c{index}")
            done = await services.ledger.accept_charge(lee, view.request.id)
        else:
            view = await services.ledger.start_trade(
                payer, kind="pay", counterparty=f"#{payee}", amount=10 + index, memo=None,
                request_key=f"p{index}")
            done = await services.ledger.confirm_pay(payer, view.request.id)
        if index == 7:
            await services.ledger.reverse(kim, done.request.transfer_id, "중복")
        if not same_time:
            clock.advance(timedelta(minutes=index % 2))  # some share a second, some don't


async def whole_statement(services, membership_id: int) -> list[int]:
    async with services.db.read() as conn:
        return [row["transfer_id"] for row in await ledger_rows.history(conn, membership_id,
                                                                        10_000)]


async def walk(services, actor, member_ref=None):
    """Older to the end, then newer back to the start: the pages in the order seen."""
    forward = [await services.ledger.history(actor, 0, member_ref)]
    while forward[-1].older is not None:
        last = forward[-1]
        forward.append(await services.ledger.history(actor, last.page + 1, member_ref,
                                                     older_than=last.older))
    backward = [forward[-1]]
    while backward[-1].newer is not None:
        last = backward[-1]
        backward.append(await services.ledger.history(actor, last.page - 1, member_ref,
                                                      newer_than=last.newer))
    return forward, backward


def ids(page) -> list[int]:
    return [entry.transfer_id for entry in page.entries]


async def test_walking_older_and_back_shows_every_entry_once_in_order(services, clock):
    await trade_a_lot(services, clock, 47, same_time=False)
    lee = await services.people.reload(2)
    expected = await whole_statement(services, lee.membership.id)
    assert len(expected) == 47 + 1  # and the correction
    forward, backward = await walk(services, lee)
    assert [t for page in forward for t in ids(page)] == expected
    assert [ids(page) for page in backward] == [ids(page) for page in reversed(forward)]
    assert [page.page for page in forward] == list(range(5))
    assert [page.page for page in backward] == list(range(4, -1, -1))
    assert all(len(page.entries) == HISTORY_PAGE_SIZE for page in forward[:-1])
    assert forward[0].newer is None and forward[-1].older is None


async def test_equal_timestamps_lose_nothing(services, clock):
    """Every transfer in the same second: the cursor is the statement's own order."""
    await trade_a_lot(services, clock, 33, same_time=True)
    kim = await services.people.reload(1)
    expected = await whole_statement(services, kim.membership.id)
    forward, backward = await walk(services, kim)
    seen = [t for page in forward for t in ids(page)]
    assert seen == expected and len(set(seen)) == len(seen) == 33 + 1
    assert [t for page in reversed(backward) for t in ids(page)] == expected


async def test_a_coordinator_walks_a_members_statement(services, clock):
    await trade_a_lot(services, clock, 25, same_time=False)
    kim, park = await services.people.reload(1), await services.people.reload(3)
    forward, backward = await walk(services, kim, "#2")
    lee = await services.people.reload(2)
    assert [t for page in forward for t in ids(page)] == await whole_statement(
        services, lee.membership.id)
    assert all(page.member is not None and page.member.number == 2 for page in forward)
    # a cursor never reaches outside the statement it is used on
    deep = await services.ledger.history(park, 3, older_than=forward[1].older)
    assert deep.entries == []


async def test_newer_after_new_trades_still_shows_full_pages(services, clock):
    await trade_a_lot(services, clock, 30, same_time=False)
    kim, lee = await services.people.reload(1), await services.people.reload(2)
    first = await services.ledger.history(lee, 0)
    second = await services.ledger.history(lee, 1, older_than=first.older)
    for index in range(3):  # three new trades arrive while the member reads page 2
        view = await services.ledger.start_trade(kim, kind="pay", counterparty="#2", amount=5,
                                                 memo=None, request_key=f"new{index}")
        await services.ledger.confirm_pay(kim, view.request.id)
    back = await services.ledger.history(lee, 0, newer_than=second.newer)
    assert ids(back) == ids(first) and back.newer is not None and back.page == 1
    top = await services.ledger.history(lee, 0, newer_than=back.newer)
    assert top.page == 0 and top.newer is None
    assert ids(top) == (await whole_statement(services, lee.membership.id))[:10]


def test_buttons_carry_the_cursor_in_a_few_bytes():
    tr = translator("ko")
    rows = keyboards.history_nav(tr, 999_999_999, 999_999_999_999, 999_999_999_998,
                                 999_999_999)
    data = [button.action for row in rows for button in row]
    assert data == ["hist:n999999999999:999999998:999999999",
                    "hist:o999999999998:1000000000:999999999"]
    assert all(len(d.encode()) <= 64 for d in data)


async def test_the_buttons_walk_the_statement_in_chat(harness, clock):
    await trade_a_lot(harness.services, clock, 25, same_time=True)
    await harness.send(KIM, "/start")
    await harness.send(LEE, "/history")
    texts = [harness.last_message_to(LEE).text]
    while True:
        older = [data for label, data in harness.last_message_to(LEE).buttons
                 if label.endswith("▶")]
        if not older:
            break
        await harness.tap(LEE, older[0])
        texts.append(harness.last_message_to(LEE).text)
    assert [re.search(r"(\d+)쪽", text).group(1) for text in texts] == ["1", "2", "3"]
    while True:
        newer = [data for label, data in harness.last_message_to(LEE).buttons
                 if label.startswith("◀")]
        if not newer:
            break
        await harness.tap(LEE, newer[0])
        texts.append(harness.last_message_to(LEE).text)
    assert texts[3:] == texts[1::-1]
    numbers = [int(n) for text in texts[:3] for n in re.findall(r"^T(\d+) ·", text, re.M)]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 25 + 1


async def test_a_button_from_before_the_cursor_opens_the_newest_page(harness, clock):
    await trade_a_lot(harness.services, clock, 25, same_time=True)
    await harness.send(LEE, "/history")
    newest = harness.last_message_to(LEE).text
    assert "1쪽" in newest
    await harness.tap(LEE, "hist:2")
    assert harness.last_message_to(LEE).text == newest
