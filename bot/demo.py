"""A demo community for the local console, seeded once through the real services."""

from __future__ import annotations

from core.errors import DomainError
from core.services import Services
from handlers.console import CHANNEL

DEMO_CODE = "demo"
DEMO_PEOPLE = ("김영희", "이철수", "박민지")  # on the console, a person is the name typed as


async def ensure_demo(services: Services) -> str:
    """Create the demo community, three members and two posts in an empty database:
    'created', 'exists', or 'skipped' when the database already holds real communities
    (practice people never go into the real ledger)."""
    try:
        await services.membership.community_by_code(DEMO_CODE)
        return "exists"
    except DomainError:
        pass
    if await services.membership.has_communities():
        return "skipped"
    # A practice community: open, and members may spend on credit to try trading at once.
    await services.membership.create_community(
        code=DEMO_CODE, name="데모 품앗이", unit="문", credit_floor=-300_000, approval="auto")
    await services.membership.add_coordinator(
        code=DEMO_CODE, channel=CHANNEL, external_id=DEMO_PEOPLE[0]
    )
    actors = []
    for name in DEMO_PEOPLE:
        actor = await services.people.resolve(CHANNEL, name, name, None, "ko")
        await services.membership.join(actor, DEMO_CODE)
        actors.append(await services.people.reload(actor.person.id))
    await services.market.create_post(
        actors[1], kind="offer", category="food", title="김치 담가 드려요",
        description="배추김치 2kg, 토요일에 받아 가세요.", price=15000, photo_file_id=None,
    )
    await services.market.create_post(
        actors[2], kind="request", category="learning", title="아이 수학 숙제 도와주실 분",
        description="초등 4학년, 주 1회 1시간.", price=None, photo_file_id=None,
    )
    return "created"
