from datetime import timedelta

import pytest

from core.errors import DomainError
from tests.support import seed_community


async def post(services, actor, title="아이 옷 나눔", kind="offer", price=5000):
    return await services.market.create_post(
        actor, kind=kind, category="goods", title=title, description="깨끗해요",
        price=price, photo_file_id=None,
    )


async def test_search_finds_open_posts_newest_first(services):
    kim, lee, _ = await seed_community(services)
    await post(services, kim, "아이 옷 나눔")
    await post(services, lee, "책 빌려드려요")
    await post(services, lee, "아이 책 구해요", kind="request")
    page = await services.market.search(kim, "책")
    assert [p.title for p in page.posts] == ["아이 책 구해요", "책 빌려드려요"]
    assert [p.title for p in (await services.market.search(kim, "아이 책")).posts] == [
        "아이 책 구해요"]
    assert (await services.market.search(kim, "100%")).posts == []


async def test_paging(services):
    kim, *_ = await seed_community(services)
    for index in range(7):
        await post(services, kim, f"나눔 {index}")
    first = await services.market.search(kim, "", 0)
    second = await services.market.search(kim, "", 1)
    assert len(first.posts) == 5 and first.has_more
    assert len(second.posts) == 2 and not second.has_more


async def test_posts_expire_after_30_days_with_one_warning(services, clock):
    kim, *_ = await seed_community(services)
    view = await post(services, kim)
    clock.advance(timedelta(days=26))
    assert await services.market.take_due_warnings() == []
    clock.advance(timedelta(days=1, minutes=1))
    assert [w.post.id for w in await services.market.take_due_warnings()] == [view.post.id]
    assert await services.market.take_due_warnings() == []
    clock.advance(timedelta(days=3))
    assert [e.post.status for e in await services.market.expire_due()] == ["expired"]
    assert (await services.market.search(kim)).posts == []
    renewed = await services.market.renew(kim, view.post.id)
    assert renewed.post.status == "open"
    assert renewed.post.expires_at == clock.now() + timedelta(days=30)


async def test_only_author_renews_and_closes(services):
    kim, lee, park = await seed_community(services)
    view = await post(services, lee)
    with pytest.raises(DomainError):
        await services.market.renew(park, view.post.id)
    with pytest.raises(DomainError):
        await services.market.close(park, view.post.id)
    closed = await services.market.close(lee, view.post.id)
    assert closed.post.status == "closed"
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_post_trade(park, post_id=view.post.id, amount=None,
                                               request_key="k")
    assert raised.value.code == "post_closed"


async def test_trade_from_posts(services):
    kim, lee, park = await seed_community(services)
    offer = await post(services, lee, price=3000)
    pay = await services.ledger.start_post_trade(park, post_id=offer.post.id, amount=None,
                                                 request_key="k1")
    assert (pay.request.kind, pay.payer.number, pay.payee.number) == ("pay", 3, 2)
    assert pay.request.post_id == offer.post.id
    wanted = await post(services, lee, "수학 도와주세요", kind="request", price=None)
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_post_trade(park, post_id=wanted.post.id, amount=None,
                                               request_key="k2")
    assert raised.value.code == "amount_needed"
    charge = await services.ledger.start_post_trade(park, post_id=wanted.post.id,
                                                    amount="1만", request_key="k3")
    assert (charge.request.kind, charge.payer.number, charge.payee.number) == ("charge", 2, 3)
    assert charge.request.amount == 10000


async def test_other_community_posts_are_invisible(services):
    mapo = await seed_community(services, "mapo", members=2, first_user_id=1)
    gangnam = await seed_community(services, "gangnam", members=2, first_user_id=11)
    view = await post(services, mapo[1])
    assert (await services.market.search(gangnam[0])).posts == []
    with pytest.raises(DomainError) as raised:
        await services.market.post(gangnam[0], view.post.id)
    assert raised.value.code == "post_not_found"
    with pytest.raises(DomainError):
        await services.ledger.start_post_trade(gangnam[0], post_id=view.post.id, amount=None,
                                               request_key="x")


async def test_title_rules(services):
    kim, *_ = await seed_community(services)
    with pytest.raises(DomainError) as raised:
        await post(services, kim, "a")
    assert raised.value.code == "post_title_invalid"
