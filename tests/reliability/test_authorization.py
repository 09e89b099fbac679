"""Every coordinator and admin action × every role: allowed exactly where it must be.
Identity always comes from the update's sender, never from callback data."""

from __future__ import annotations

import pytest

from bot.updates import FakeUser
from core.errors import DomainError
from tests.conftest import KIM, LEE, PARK
from tests.support import ADMIN, count_rows, texts

OTHER_COORDINATOR = FakeUser(401, "강남운영위원", "gangnam_coord")
STRANGER = FakeUser(402, "지나가는사람")
APPLICANT = FakeUser(403, "신청자", "applicant")
ROLES = {
    "member": PARK,
    "coordinator of another community": OTHER_COORDINATOR,
    "coordinator": KIM,
    "admin": ADMIN,
    "stranger": STRANGER,
}


async def world(harness):
    """마포 (coordinator approval; 김영희 coordinates; 이철수 and 박민지 members), 강남 with its own
    coordinator, one pending applicant, one transfer and one post."""
    services = harness.services
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               approval="coordinator", credit_floor=-300_000)
    await services.membership.create_community(code="gangnam", name="강남 품앗이",
                                               credit_floor=-300_000, approval="auto")
    await services.membership.add_coordinator(code="mapo", channel="telegram",
                                              external_id=str(KIM.id))
    await services.membership.add_coordinator(code="gangnam", channel="telegram",
                                              external_id=str(OTHER_COORDINATOR.id))
    for user in (LEE, PARK):
        await harness.join(user, "mapo")
        await harness.tap(KIM, harness.button_data(KIM, "승인"))
    for user in (KIM, OTHER_COORDINATOR, ADMIN, STRANGER):
        await harness.send(user, "/start")
    await harness.join(APPLICANT, "mapo")
    await harness.send(LEE, "/pay #3 100")
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    await services.market.create_post(
        await services.people.resolve("telegram", str(LEE.id), LEE.first_name, LEE.username),
        kind="offer", category="goods", title="책 나눔", description="", price=100,
        photo_file_id=None)
    async with services.db.read() as conn, conn.execute(
        "SELECT id FROM memberships WHERE status = 'pending'") as cursor:
        return (await cursor.fetchone())[0]


async def approve(harness, user, application):
    await harness.tap(user, f"app:ok:{application}")
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT status FROM memberships WHERE id = ?", (application,)) as cursor:
        return (await cursor.fetchone())[0] == "active"


async def reject(harness, user, application):
    await harness.tap(user, f"app:no:{application}")
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT status FROM memberships WHERE id = ?", (application,)) as cursor:
        return (await cursor.fetchone())[0] == "rejected"


async def list_applications(harness, user, application):
    return APPLICANT.first_name in texts(await harness.send(user, "/approve"))


async def reverse(harness, user, application):
    await harness.send(user, "/reverse T1 정정")
    await harness.tap(user, "rev:ok:1")  # the Confirm button, forged by those never shown it
    return await count_rows(harness.services, "transfers") == 2


async def see_members_statement(harness, user, application):
    """/history #2 is 이철수's statement (he paid T1), not the asker's own."""
    shown = texts(await harness.send(user, "/history #2"))
    pages = texts(await harness.tap(user, "hist:0:2"))
    return "T1 ·" in shown and "-100문" in shown and "-100문" in pages


async def create_community(harness, user, application):
    await harness.send(user, "/newcommunity eunpyeong 은평 품앗이")
    return await count_rows(harness.services, "communities") == 3


async def close_someone_elses_post(harness, user, application):
    await harness.tap(user, "post:close:1")
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT status FROM posts WHERE id = 1") as cursor:
        return (await cursor.fetchone())[0] == "closed"


async def change_limits(harness, user, application):
    actor = await harness.services.people.resolve("telegram", str(user.id), user.first_name,
                                                  user.username)
    try:
        await harness.services.membership.set_member_limits(
            actor, 3, credit_floor=-1, credit_ceiling=None, reason="시험")
    except DomainError:
        return False
    return True


async def send_notice(harness, user, application):
    await harness.send(user, "/notice")
    await harness.send(user, "공지 시험")
    await harness.tap(user, "ntc:aud:all")
    await harness.tap(user, "ntc:urg:0")
    await harness.tap(user, "ntc:send:go")
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT COUNT(*) FROM notices n JOIN communities c ON c.id = n.community_id"
            " WHERE c.code = 'mapo'") as cursor:
        return (await cursor.fetchone())[0] == 1


async def see_stats(harness, user, application):
    return "마포 품앗이 통계" in texts(await harness.send(user, "/stats"))


async def export_files(harness, user, application):
    calls = await harness.send(user, "/export")
    return any(c.method == "sendDocument" and "mapo" in str(c.params.get("caption") or "")
               + "".join(c.files) for c in calls)


async def manage_members(harness, user, application):
    await harness.send(user, "/suspend #3 시험")
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT m.status FROM memberships m JOIN communities c ON c.id = m.community_id"
        " WHERE m.number = 3 AND c.code = 'mapo'") as cursor:
        return (await cursor.fetchone())[0] == "suspended"


async def change_join_code(harness, user, application):
    await harness.tap(user, "code:new:1:mapo")  # mapo is community 1; data can be forged
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT code FROM communities WHERE id = 1") as cursor:
        return (await cursor.fetchone())[0] != "mapo"


async def settle_balance(harness, user, application):
    """박민지 (#3) holds the 100 이철수 paid; settling moves it to the community account."""
    await harness.send(user, "/settle #3 정산")
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT a.balance FROM accounts a JOIN memberships m ON m.id = a.membership_id"
        " JOIN communities c ON c.id = m.community_id WHERE c.code = 'mapo'"
        " AND m.number = 3") as cursor:
        return (await cursor.fetchone())[0] == 0


async def erase_former_member(harness, user, application):
    """박민지 (#3) has left with a balance of 0; 김영희's erasure of her waits for Confirm
    (request 1), and its button can be forged by anyone."""
    services = harness.services
    kim = await services.people.resolve("telegram", str(KIM.id), KIM.first_name, KIM.username)
    park = await services.people.resolve("telegram", str(PARK.id), PARK.first_name,
                                         PARK.username)
    await services.privacy.settle(kim, 3, "탈퇴 정산")
    await services.privacy.leave(park, park.membership.id)
    await services.privacy.prepare_erasure(kim, 3, "본인 요청")
    await harness.send(user, "/erase #3 본인 요청")
    await harness.tap(user, "er:ok:1")
    async with services.db.read() as conn, conn.execute(
        "SELECT p.erased_at FROM people p JOIN memberships m ON m.person_id = p.id"
        " JOIN communities c ON c.id = m.community_id WHERE c.code = 'mapo'"
        " AND m.number = 3") as cursor:
        return (await cursor.fetchone())[0] is not None


ACTIONS = {
    "approve": (approve, {"coordinator"}),
    "reject": (reject, {"coordinator"}),
    "see applications": (list_applications, {"coordinator"}),
    "reverse a transfer": (reverse, {"coordinator"}),
    "see a member's statement": (see_members_statement, {"coordinator"}),
    "create a community": (create_community, {"admin"}),
    "close another's post": (close_someone_elses_post, {"coordinator"}),
    "change a member's limits": (change_limits, {"coordinator"}),
    "send a notice": (send_notice, {"coordinator"}),
    "see statistics": (see_stats, {"coordinator"}),
    "export": (export_files, {"coordinator"}),
    "suspend a member": (manage_members, {"coordinator"}),
    "change the join code": (change_join_code, {"coordinator"}),
    "settle a member's balance": (settle_balance, {"coordinator"}),
    "erase a former member": (erase_former_member, {"coordinator"}),
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_authorization_matrix(harness, action, role):
    application = await world(harness)
    perform, allowed_roles = ACTIONS[action]
    assert await perform(harness, ROLES[role], application) == (role in allowed_roles)
