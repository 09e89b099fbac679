"""The expert pool's rules below the chat: a member who leaves their community leaves the
pool; a member cannot answer for someone else; topics search is literal."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.services import Services
from tests.support import seed_community


@pytest.fixture
async def pool(db_target):
    services = await Services.open(db_target)
    actors = await seed_community(services, members=3)
    yield services, actors
    await services.close()


async def test_a_listed_member_who_leaves_is_gone_from_the_pool(pool):
    services, (kim, lee, park) = pool
    asked = await services.experts.recommend(kim, "#2", "회계", contact="010-0000-0000")
    await services.experts.answer_consent(lee, asked.expert.id, True)
    assert [e.name for e in (await services.experts.search(park, "회계")).experts] == ["회원102"]
    await services.privacy.leave(lee, lee.membership.id)
    assert (await services.experts.search(park, None)).total == 0


async def test_only_the_member_asked_answers(pool):
    services, (kim, lee, park) = pool
    asked = await services.experts.recommend(kim, "#2", "회계")
    with pytest.raises(DomainError):
        await services.experts.answer_consent(park, asked.expert.id, True)
    assert (await services.experts.search(park, None)).total == 0


async def test_a_topic_with_wildcards_matches_literally(pool):
    services, (kim, lee, park) = pool
    await services.experts.recommend(kim, "홍길동", "회계", consent="서면 동의")
    assert (await services.experts.search(park, "%")).total == 0
    assert (await services.experts.search(park, "회")).total == 1


async def test_the_pool_is_shared_by_every_community(pool):
    """An expert recommended in one community is found by the members of another; only the
    coordinators where they were recommended (or an admin, or the expert) remove them."""
    services, (kim, lee, park) = pool
    asked = await services.experts.recommend(kim, "#2", "회계", organisation="마포복지관")
    await services.experts.answer_consent(lee, asked.expert.id, True)
    await services.experts.recommend(kim, "홍길동", "마을공동체", consent="3월 3일 전화로 동의")
    jongno, neighbour = await seed_community(services, "jongno", members=2, first_user_id=201)
    found = await services.experts.search(neighbour, "회계")
    assert [(e.name, e.organisation) for e in found.experts] == [("회원102", "마포복지관")]
    assert (await services.experts.search(jongno, None)).total == 2
    with pytest.raises(DomainError):
        await services.experts.withdraw(jongno, asked.expert.id)
    assert (await services.experts.search(neighbour, None)).total == 2
