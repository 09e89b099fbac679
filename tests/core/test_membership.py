import pytest

from core.errors import DomainError
from tests.support import seed_community


async def resolve(services, user_id, name="회원"):
    return await services.people.resolve("telegram", str(user_id), name, None)


async def test_auto_join_gives_numbers_and_accounts(services):
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               credit_floor=-300_000, approval="auto")
    first = await services.membership.join(await resolve(services, 1), "mapo")
    second = await services.membership.join(await resolve(services, 2), "MAPO")
    assert (first.status, first.member.number) == ("active", 1)
    assert (second.status, second.member.number) == ("active", 2)
    again = await services.membership.join(await resolve(services, 2), "mapo")
    assert again.status == "already" and again.member.number == 2


async def test_coordinator_approval_flow(services):
    kim, *_ = await seed_community(services, members=1, approval="coordinator")
    applicant = await resolve(services, 50, "신청자")
    result = await services.membership.join(applicant, "mapo")
    assert result.status == "pending" and result.member.number is None
    assert [c.person_id for c in result.coordinators] == [kim.person.id]
    applicant = await services.people.reload(applicant.person.id)
    with pytest.raises(DomainError) as raised:
        await services.ledger.balance(applicant)
    assert raised.value.code in ("no_community", "membership_pending")
    outsider = await resolve(services, 51)
    with pytest.raises(DomainError) as raised:
        await services.membership.decide(outsider, result.member.membership_id, True)
    assert raised.value.code == "not_coordinator"
    decision = await services.membership.decide(kim, result.member.membership_id, True)
    assert decision.approved and decision.newly_decided and decision.member.number == 2
    twice = await services.membership.decide(kim, result.member.membership_id, False)
    assert twice.approved and not twice.newly_decided
    applicant = await services.people.reload(applicant.person.id)
    assert (await services.ledger.balance(applicant)).balance == 0


async def test_rejected_applicant_may_apply_again(services):
    kim, *_ = await seed_community(services, members=1, approval="coordinator")
    applicant = await resolve(services, 60)
    first = await services.membership.join(applicant, "mapo")
    await services.membership.decide(kim, first.member.membership_id, False)
    again = await services.membership.join(applicant, "mapo")
    assert again.status == "pending"


async def test_person_in_two_communities_switches(services):
    await seed_community(services, "mapo", members=2, first_user_id=1)
    await seed_community(services, "gangnam", members=2, first_user_id=11)
    both = await resolve(services, 2)
    await services.membership.join(both, "gangnam")
    both = await services.people.reload(both.person.id)
    assert both.community.code == "gangnam"
    mine = await services.membership.my_communities(both)
    assert sorted(m.code for m in mine) == ["gangnam", "mapo"]
    mapo = next(m for m in mine if m.code == "mapo")
    await services.membership.switch(both, mapo.community_id)
    both = await services.people.reload(both.person.id)
    assert both.community.code == "mapo"


async def test_community_code_rules(services):
    with pytest.raises(DomainError) as raised:
        await services.membership.create_community(code="a b", name="x")
    assert raised.value.code == "community_code_invalid"
    await services.membership.create_community(code="mapo", name="마포")
    with pytest.raises(DomainError) as raised:
        await services.membership.create_community(code="MAPO", name="또 마포")
    assert raised.value.code == "community_code_taken"
    with pytest.raises(DomainError) as raised:
        await services.membership.create_community(code="ok1", name="x", credit_floor=10)
    assert raised.value.code == "community_limits_invalid"


async def test_admin_creates_in_chat_and_becomes_coordinator(services):
    admin = await services.people.resolve("telegram", "900", "관리자")
    assert admin.is_admin
    community = await services.membership.create_community(code="eun", name="은평", actor=admin)
    admin = await services.people.reload(admin.person.id, is_admin=True)
    assert admin.community.id == community.id and admin.membership.is_coordinator
    member = await resolve(services, 5)
    with pytest.raises(DomainError) as raised:
        await services.membership.create_community(code="no", name="x", actor=member)
    assert raised.value.code == "not_admin"
