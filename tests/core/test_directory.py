import pytest

from core.dialogs import Dialog
from core.directory import (
    Candidate,
    MemberChoice,
    MemberChoices,
    closest,
    match_member,
    match_member_for,
    strip_particles,
)
from core.errors import DomainError
from core.ledger import CHOICES_MAX
from storage import memberships as membership_rows
from tests.support import seed_community

MEMBERS = [
    Candidate(1, "김영희", "younghee"),
    Candidate(2, "이철수", "chulsoo"),
    Candidate(3, "박민지", "minji"),
    Candidate(4, "김영수"),
    Candidate(5, "남궁민수"),
    Candidate(6, "Younghee Kim", "ykim"),
    Candidate(7, "최 수진"),
    Candidate(8, "별님"),
    Candidate(9, "이영희"),
    Candidate(10, "John Smith", "jsmith"),
]


@pytest.mark.parametrize(
    ("query", "kind", "numbers"),
    [
        # the whole name, with honorifics and particles
        ("김영희", "exact", [1]),
        ("김영희님", "exact", [1]),
        ("김영희 님", "exact", [1]),
        ("김영희씨", "exact", [1]),
        ("김영희한테", "exact", [1]),
        ("김영희님한테", "exact", [1]),
        ("김영희 씨에게", "exact", [1]),
        ("김영희께", "exact", [1]),
        ("김영희 선생님", "exact", [1]),
        ("김영희한테서", "exact", [1]),
        (" 김영희 ", "exact", [1]),
        ("이영희", "exact", [9]),
        ("남궁민수", "exact", [5]),
        ("최수진", "exact", [7]),
        ("최 수진", "exact", [7]),
        ("수진 최", "exact", [7]),
        ("younghee kim", "exact", [6]),
        ("Kim Younghee", "exact", [6]),
        ("별님", "exact", [8]),          # a name that ends like an honorific
        # the given name alone
        ("영희", "several", [1, 9]),
        ("영희님", "several", [1, 9]),
        ("영수", "exact", [4]),
        ("철수", "exact", [2]),
        ("철수한테", "exact", [2]),
        ("민수", "exact", [5]),          # 남궁 is a two-syllable family name
        ("수진", "exact", [7]),
        ("kim", "exact", [6]),
        ("John", "exact", [10]),
        ("smith", "exact", [10]),
        ("minji", "exact", [3]),         # a username without @
        ("younghee", "several", [1, 6]),  # a username and a given name
        # numbers and usernames
        ("#3", "exact", [3]),
        ("3", "exact", [3]),
        ("3번", "exact", [3]),
        ("#3님한테", "exact", [3]),
        ("#99", "none", []),
        ("@minji", "exact", [3]),
        ("@MINJI", "exact", [3]),
        ("@nobody", "none", []),
        # not a name at all
        ("", "invalid", []),
        ("   ", "invalid", []),
        ("#2'; --", "invalid", []),
        ("!!!", "invalid", []),
    ],
)
def test_match_member(query, kind, numbers):
    match = match_member(query, MEMBERS)
    assert match.kind == kind
    if kind != "none":
        assert [c.number for c in match.members] == numbers


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("김영히", 1),       # one letter off
        ("김영휘", 1),
        ("박민자", 3),
        ("박민지씨이", 3),
        ("이철슈", 2),
        ("궁민수", 5),       # contained in 남궁민수
        ("Jon Smith", 10),
        ("별", 8),
    ],
)
def test_not_found_offers_the_closest_names(query, first):
    match = match_member(query, MEMBERS)
    assert match.kind == "none"
    assert 1 <= len(match.members) <= 3
    assert match.members[0].number == first


def test_closest_is_at_most_three_and_ranks_containment_first():
    found = closest("김", MEMBERS)
    assert [c.number for c in found][:2] == [1, 4]
    assert len(found) <= 3


def test_closest_leaves_out_names_that_are_nothing_alike():
    assert match_member("홍길동", [Candidate(1, "Zoe Park")]).members == ()
    assert closest("", MEMBERS) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("김영희님한테", "김영희"),
        ("영희 씨에게", "영희"),
        ("김 선생님께", "김"),
        ("김영희한테서", "김영희"),
        ("이철수에게서", "이철수"),
        ("님", "님"),
        ("한테", "한테"),
        ("박민지", "박민지"),
        ("#23님", "#23"),
    ],
)
def test_strip_particles(text, expected):
    assert strip_particles(text) == expected


async def _rename(services, community_code: str, number: int, name: str) -> None:
    async with services.db.write() as conn:
        await conn.execute(
            "UPDATE people SET display_name = ? WHERE id = (SELECT m.person_id FROM memberships m"
            " JOIN communities c ON c.id = m.community_id WHERE c.code = ? AND m.number = ?)",
            (name, community_code, number))


async def test_storage_lists_only_active_members_of_one_community(services):
    await seed_community(services, "mapo")
    await seed_community(services, "jongno", first_user_id=201)
    async with services.db.write() as conn:
        await conn.execute(
            "UPDATE memberships SET status = 'suspended' WHERE number = 3 AND community_id ="
            " (SELECT id FROM communities WHERE code = 'mapo')")
        mapo = (await (await conn.execute(
            "SELECT id FROM communities WHERE code = 'mapo'")).fetchone())[0]
        rows = await membership_rows.active_member_names(conn, mapo)
    assert [(r["number"], r["display_name"]) for r in rows] == [(1, "회원101"), (2, "회원102")]


async def test_pay_by_name_through_the_ledger(services):
    kim, lee, park = await seed_community(services)
    await _rename(services, "mapo", 2, "이철수")
    await _rename(services, "mapo", 3, "박민지")
    view = await services.ledger.start_trade(
        kim, kind="pay", counterparty="철수님한테", amount="오천원", memo=None, request_key="a")
    assert view.payee.number == 2 and view.request.amount == 5000


async def test_ledger_errors_list_choices_or_closest_names_of_this_community_only(services):
    kim, _, _ = await seed_community(services)
    await seed_community(services, "jongno", first_user_id=201)
    await _rename(services, "mapo", 2, "김민지")
    await _rename(services, "mapo", 3, "박민지")
    await _rename(services, "jongno", 1, "박민자")  # would be the exact name, elsewhere
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_trade(
            kim, kind="pay", counterparty="민지", amount=1, memo=None, request_key="b")
    assert raised.value.code == "member_ambiguous"
    assert raised.value.params["choices"] == ((2, "김민지"), (3, "박민지"))
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_trade(
            kim, kind="pay", counterparty="박민자", amount=1, memo=None, request_key="c")
    assert raised.value.code == "member_not_found"
    assert raised.value.params["closest"][0] == (3, "박민지")
    assert all(number in (1, 2, 3) for number, _ in raised.value.params["closest"])
    assert "박민자" not in [name for _, name in raised.value.params["closest"]]


async def test_suspended_member_is_not_found_by_name(services):
    kim, _, _ = await seed_community(services)
    await _rename(services, "mapo", 3, "박민지")
    async with services.db.write() as conn:
        await conn.execute("UPDATE memberships SET status = 'suspended' WHERE number = 3")
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_trade(
            kim, kind="charge", counterparty="박민지", amount=1, memo=None, request_key="d")
    assert raised.value.code == "member_not_found"


@pytest.mark.parametrize(
    ("query", "me", "kind", "numbers"),
    [
        ("영희", None, "several", [1, 9]),
        ("영희", 1, "exact", [9]),  # the one asking is not a choice: the other 영희 is meant
        ("영희", 9, "exact", [1]),
        ("영희", 2, "several", [1, 9]),
        ("김영희", 1, "exact", [1]),  # named alone, they are found (so the answer says why not)
        ("#1", 1, "exact", [1]),
        ("김영이", None, "none", [1, 4, 9]),
        ("김영이", 1, "none", [4, 9]),  # not among the closest names either
        ("민수", 5, "exact", [5]),
    ],
)
def test_match_member_for_leaves_out_the_one_asking(query, me, kind, numbers):
    match = match_member_for(query, MEMBERS, me)
    assert (match.kind, [c.number for c in match.members]) == (kind, numbers)


async def test_find_counterparty_offers_this_communitys_members_with_their_offers(services):
    kim, lee, park = await seed_community(services)
    jongno = await seed_community(services, "jongno", first_user_id=201)
    for code, number in (("mapo", 2), ("mapo", 3), ("jongno", 1)):
        await _rename(services, code, number, "김민지")
    await services.market.create_post(lee, kind="offer", category="food", title="반찬 나눔",
                                      description="", price=None, photo_file_id=None)
    await services.market.create_post(lee, kind="request", category="food", title="구해요",
                                      description="", price=None, photo_file_id=None)
    await services.market.create_post(jongno[0], kind="offer", category="food",
                                      title="종로 떡", description="", price=None,
                                      photo_file_id=None)
    found = await services.ledger.find_counterparty(kim, "민지")
    assert found.kind == "several"
    assert found.members == (MemberChoice(2, "김민지", "반찬 나눔"), MemberChoice(3, "김민지"))
    found = await services.ledger.find_counterparty(lee, "김민지")  # 이철수 is #2: not a choice
    assert found == MemberChoices("exact", (MemberChoice(3, "김민지"),))


async def test_find_counterparty_cuts_a_long_list(services):
    kim, *_ = await seed_community(services, members=12)
    for number in range(2, 13):
        await _rename(services, "mapo", number, "김민지")
    found = await services.ledger.find_counterparty(kim, "민지")
    assert len(found.members) == CHOICES_MAX and found.more == 11 - CHOICES_MAX


async def test_a_trade_opened_from_a_pick_ends_the_pick_once(services):
    kim, lee, _ = await seed_community(services)
    pick = Dialog("trade", "member", {"kind": "pay"})
    await services.dialogs.put(kim.person.id, pick)
    view = await services.ledger.start_trade(kim, kind="pay", counterparty="#2", amount=500,
                                             memo=None, request_key="p1", finishing=pick)
    assert view.payee.number == 2
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_trade(kim, kind="pay", counterparty="#3", amount=500,
                                          memo=None, request_key="p2", finishing=pick)
    assert raised.value.code == "dialog_already_done"
    async with services.db.read() as conn, conn.execute(
            "SELECT COUNT(*) FROM trade_requests") as cursor:
        assert (await cursor.fetchone())[0] == 1
