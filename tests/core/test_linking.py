"""Linking two identities into one person: codes, tries, refusals, and a merge that leaves the
ledger exactly as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.delivery import Redelivered, handling
from core.errors import DomainError
from core.linking import CODE_TTL, TRIES_PER_HOUR, TRY_WINDOW
from core.notices import NoticeDraft
from tests.support import count_rows, seed_community


async def pay(services, payer, payee_number: int, amount: int, key: str):
    view = await services.ledger.start_trade(payer, kind="pay", counterparty=f"#{payee_number}",
                                             amount=amount, memo=None, request_key=key)
    return await services.ledger.confirm_pay(payer, view.request.id)


async def identities(services) -> list[tuple]:
    async with services.db.read() as conn, conn.execute(
            "SELECT channel, external_id, person_id FROM identities ORDER BY channel,"
            " external_id") as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def test_a_code_from_telegram_typed_on_kakao_makes_one_person(services):
    kim, lee, _ = await seed_community(services)
    await pay(services, kim, lee.membership.number, 7000, "k1")
    kakao = await services.people.resolve("kakao", "bk-lee", "카카오 회원 1")
    code = await services.linking.new_code(lee.person.id, "telegram", "102")
    assert len(code.code) == 6 and code.code.isdigit()
    assert code.expires_at == services.clock.now() + CODE_TTL

    result = await services.linking.link("kakao", "bk-lee", code.code)

    assert result.status == "linked" and result.person_id == lee.person.id
    assert result.maker == ("telegram", "102")
    via_kakao = await services.people.resolve("kakao", "bk-lee", "카카오 회원 1")
    assert via_kakao.person.id == lee.person.id
    assert via_kakao.person.display_name == "회원102"  # the placeholder never replaces it
    assert via_kakao.membership.number == lee.membership.number
    assert (await services.ledger.balance(via_kakao)).balance == 7000
    assert await services.people.addresses(lee.person.id) == {"kakao": "bk-lee",
                                                               "telegram": "102"}
    async with services.db.read() as conn, conn.execute(
            "SELECT merged_into FROM people WHERE id = ?", (kakao.person.id,)) as cursor:
        assert (await cursor.fetchone())[0] == lee.person.id
    assert (await services.verify()).ok


async def test_memberships_and_accounts_move_to_the_survivor_untouched(services):
    """The Kakao person joined another community first; the Telegram person is older and a
    member of mapo: both memberships end on the older person, balances as they were."""
    kim, lee, _ = await seed_community(services)
    await seed_community(services, "gangnam", members=2, first_user_id=201)
    kakao = await services.people.resolve("kakao", "bk-lee", "카카오 회원 1")
    await services.people.set_name(kakao.person.id, "이철수")
    await services.membership.join(kakao, "gangnam")
    kakao = await services.people.reload(kakao.person.id)
    gangnam_first = await services.people.resolve("telegram", "201", "회원201")
    await pay(services, gangnam_first, kakao.membership.number, 3000, "g1")
    await pay(services, kim, lee.membership.number, 5000, "m1")
    transfers = await count_rows(services, "transfers")
    async with services.db.read() as conn, conn.execute(
            "SELECT id, balance FROM accounts ORDER BY id") as cursor:
        balances = [tuple(row) for row in await cursor.fetchall()]

    code = await services.linking.new_code(kakao.person.id, "kakao", "bk-lee")
    result = await services.linking.link("telegram", "102", code.code)

    assert result.status == "linked" and result.person_id == lee.person.id  # the older one
    mine = await services.membership.my_communities(await services.people.reload(lee.person.id))
    assert sorted(entry.code for entry in mine) == ["gangnam", "mapo"]
    async with services.db.read() as conn, conn.execute(
            "SELECT id, balance FROM accounts ORDER BY id") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == balances
    assert await count_rows(services, "transfers") == transfers
    assert (await services.verify()).ok


async def test_the_person_with_memberships_survives_even_if_younger(services):
    await seed_community(services, members=1)
    telegram = await services.people.resolve("telegram", "500", "박새로이", "saeroyi")
    kakao = await services.people.resolve("kakao", "bk-park", "카카오 회원 2")
    await services.people.set_name(kakao.person.id, "박새로이")
    await services.membership.join(kakao, "mapo")
    code = await services.linking.new_code(telegram.person.id, "telegram", "500")

    result = await services.linking.link("kakao", "bk-park", code.code)

    assert result.person_id == kakao.person.id
    survivor = await services.people.reload(kakao.person.id)
    assert survivor.person.username == "saeroyi"  # kept for "/pay @saeroyi"
    assert survivor.membership is not None and survivor.membership.is_active
    # writing on Kakao (no name, no username) changes neither
    again = await services.people.resolve("kakao", "bk-park", "카카오 회원 2")
    assert (again.person.display_name, again.person.username) == ("박새로이", "saeroyi")
    again = await services.people.resolve("telegram", "500", "박새로이", "saeroyi")
    assert again.person.id == kakao.person.id


async def test_a_linked_member_gets_one_notice_row_on_the_channel_they_chose(services):
    kim, lee, _ = await seed_community(services)
    await services.people.resolve("kakao", "bk-lee", "카카오 회원 1")
    code = await services.linking.new_code(lee.person.id, "telegram", "102")
    await services.linking.link("kakao", "bk-lee", code.code)
    await services.people.resolve("telegram", "102", "회원102", "user102")  # wrote last here
    await services.people.set_notify_channel(lee.person.id, "kakao")

    await services.notices.send(kim, NoticeDraft(text="대청소", audience="all"), message="대청소")

    async with services.db.read() as conn, conn.execute(
            "SELECT channel, chat_id FROM outbox WHERE membership_id = ?",
            (lee.membership.id,)) as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [("kakao", "bk-lee")]


async def test_six_wrong_codes_the_sixth_refused_even_when_right(services):
    await services.people.resolve("kakao", "bk-guess", "카카오 회원 3")
    owner = await services.people.resolve("telegram", "700", "주인")
    code = await services.linking.new_code(owner.person.id, "telegram", "700")
    wrong = f"{(int(code.code) + 1) % 1_000_000:06d}"
    lefts = []
    for _ in range(TRIES_PER_HOUR):
        result = await services.linking.link("kakao", "bk-guess", wrong)
        assert result.status == "wrong"
        lefts.append(result.tries_left)
    assert lefts == [4, 3, 2, 1, 0]

    sixth = await services.linking.link("kakao", "bk-guess", code.code)

    assert sixth.status == "too_many"
    assert sixth.retry_at == services.clock.now() + TRY_WINDOW
    assert await services.people.addresses(owner.person.id) == {"telegram": "700"}
    # another identity is not held back by these tries
    await services.people.resolve("console", "이웃", "이웃")
    assert (await services.linking.link("console", "이웃", code.code)).status == "linked"


async def test_tries_are_forgotten_after_an_hour(services):
    await services.people.resolve("kakao", "bk-guess", "카카오 회원 3")
    owner = await services.people.resolve("telegram", "700", "주인")
    for _ in range(TRIES_PER_HOUR):
        await services.linking.link("kakao", "bk-guess", "12345x")
    services.clock.advance(TRY_WINDOW + timedelta(seconds=1))
    code = await services.linking.new_code(owner.person.id, "telegram", "700")
    assert (await services.linking.link("kakao", "bk-guess", code.code)).status == "linked"


async def test_an_expired_code_is_refused_and_counts(services):
    await services.people.resolve("kakao", "bk-late", "카카오 회원 4")
    owner = await services.people.resolve("telegram", "700", "주인")
    code = await services.linking.new_code(owner.person.id, "telegram", "700")
    services.clock.advance(CODE_TTL)

    result = await services.linking.link("kakao", "bk-late", code.code)

    assert result.status == "expired" and result.tries_left == TRIES_PER_HOUR - 1
    assert await services.people.addresses(owner.person.id) == {"telegram": "700"}


async def test_a_new_code_replaces_the_old_one(services):
    await services.people.resolve("kakao", "bk-1", "카카오 회원 5")
    owner = await services.people.resolve("telegram", "700", "주인")
    first = await services.linking.new_code(owner.person.id, "telegram", "700")
    second = await services.linking.new_code(owner.person.id, "telegram", "700")
    if first.code != second.code:
        assert (await services.linking.link("kakao", "bk-1", first.code)).status == "wrong"
    assert (await services.linking.link("kakao", "bk-1", second.code)).status == "linked"


async def test_a_used_code_links_nobody_else_and_says_already_to_its_user(services):
    owner = await services.people.resolve("telegram", "700", "주인")
    await services.people.resolve("kakao", "bk-1", "카카오 회원 5")
    await services.people.resolve("console", "손님", "손님")
    code = await services.linking.new_code(owner.person.id, "telegram", "700")
    assert (await services.linking.link("kakao", "bk-1", code.code)).status == "linked"

    assert (await services.linking.link("kakao", "bk-1", code.code)).status == "already"
    assert (await services.linking.link("console", "손님", code.code)).status == "used"
    assert set(await services.people.addresses(owner.person.id)) == {"telegram", "kakao"}


async def test_two_identities_on_one_channel_are_never_joined(services):
    first = await services.people.resolve("telegram", "700", "하나")
    await services.people.resolve("telegram", "701", "둘")
    code = await services.linking.new_code(first.person.id, "telegram", "700")

    result = await services.linking.link("telegram", "701", code.code)
    assert (result.status, result.channel) == ("same_channel", "telegram")
    own = await services.linking.link("telegram", "700", code.code)
    assert own.status == "own"
    # a person already on Kakao and Telegram can't take a second Kakao identity either
    await services.people.resolve("kakao", "bk-a", "카카오 회원")
    await services.people.resolve("kakao", "bk-b", "카카오 회원")
    assert (await services.linking.link("kakao", "bk-a", code.code)).status == "linked"
    again = await services.linking.new_code(first.person.id, "kakao", "bk-a")
    assert (await services.linking.link("kakao", "bk-b", again.code)).status == "same_channel"
    # none of these refusals counted as a wrong try, and nothing more was joined
    assert set(await services.people.addresses(first.person.id)) == {"telegram", "kakao"}
    assert await count_rows(services, "link_attempts") == 0


async def test_members_of_the_same_community_are_refused_and_nothing_changes(services):
    kim, lee, _ = await seed_community(services)
    on_console = await services.people.resolve("console", "이철수", "이철수")
    await services.membership.join(on_console, "mapo")  # a second membership, by mistake
    on_console = await services.people.reload(on_console.person.id)
    await pay(services, kim, on_console.membership.number, 2000, "p1")
    before = await identities(services)
    code = await services.linking.new_code(lee.person.id, "telegram", "102")

    result = await services.linking.link("console", "이철수", code.code)

    assert result.status == "conflict" and result.communities == ("mapo 품앗이",)
    assert await identities(services) == before
    assert await count_rows(services, "link_attempts") == 0
    # the code is still good for a person who is not in mapo
    await services.people.resolve("kakao", "bk-lee", "카카오 회원 6")
    assert (await services.linking.link("kakao", "bk-lee", code.code)).status == "linked"
    assert (await services.verify()).ok


async def test_a_redelivered_link_does_nothing_twice(services):
    owner = await services.people.resolve("telegram", "700", "주인")
    await services.people.resolve("kakao", "bk-1", "카카오 회원 5")
    code = await services.linking.new_code(owner.person.id, "telegram", "700")
    with handling("kakao:req-1"):
        assert (await services.linking.link("kakao", "bk-1", code.code)).status == "linked"
    with handling("kakao:req-1"), pytest.raises(Redelivered):
        await services.linking.link("kakao", "bk-1", code.code)
    with handling("kakao:req-2"):  # a wrong try redelivered is counted once
        await services.linking.link("kakao", "bk-1", "999999")
    with handling("kakao:req-2"), pytest.raises(Redelivered):
        await services.linking.link("kakao", "bk-1", "999999")
    assert await count_rows(services, "link_attempts") == 1


async def test_notify_channel_must_be_one_of_the_persons(services):
    owner = await services.people.resolve("telegram", "700", "주인")
    with pytest.raises(DomainError):
        await services.people.set_notify_channel(owner.person.id, "kakao")
    await services.people.set_notify_channel(owner.person.id, "telegram")
    assert await services.people.notify_choice(owner.person.id) == ("telegram", "telegram")
