"""Market search through the FTS5 bigram index finds what LIKE '%word%' found, word for word."""

from __future__ import annotations

import string
from datetime import timedelta

import pytest

from storage import posts as post_rows
from storage.db import fetch_all
from storage.port import POSTGRESQL, IntegrityError, dialect
from storage.search_terms import pg_search_query, pg_terms, post_search_terms, search_match
from tests.support import seed_community


async def like_search(conn, community_id: int, words: list[str]) -> list[int]:
    """The search as it was before the index (LIKE over every open post): the reference."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

    if dialect(conn) == POSTGRESQL:  # its ILIKE folds more than ASCII: SQLite's LIKE, here
        fold = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
        rows = await fetch_all(
            conn, "SELECT po.id, po.title, po.description, po.category FROM posts po"
            " JOIN memberships m ON m.id = po.author_membership_id WHERE po.community_id = ?"
            " AND po.status = 'open' AND m.status = 'active' ORDER BY po.id DESC",
            (community_id,))
        return [row["id"] for row in rows if all(
            word.translate(fold) in row["title"].translate(fold)
            or word.translate(fold) in row["description"].translate(fold)
            or word == row["category"] for word in words)]

    clauses = ["po.community_id = ?", "po.status = 'open'", "m.status = 'active'"]
    params: list[object] = [community_id]
    for word in words:
        clauses.append(
            "(po.title LIKE ? ESCAPE '\\' OR po.description LIKE ? ESCAPE '\\' OR po.category = ?)"
        )
        pattern = f"%{escape(word)}%"
        params.extend([pattern, pattern, word])
    async with conn.execute(
        "SELECT po.id FROM posts po JOIN memberships m ON m.id = po.author_membership_id"
        " WHERE " + " AND ".join(clauses) + " ORDER BY po.id DESC", params,
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]


POSTS = [  # (author index, category, title, description)
    (1, "food", "떡볶이 나눠요", "매콤한 떡볶이"),
    (1, "food", "가래떡", "설에 뽑은 가래떡 2kg"),
    (2, "food", "배추김치 나눔", "김치찌개에 좋아요"),
    (2, "food", "김치", "치즈"),  # 김치즈 spans title and description: no match
    (0, "goods", "Pineapple 통조림", "APPLE juice 1,000원어치"),
    (0, "repair", "컴퓨터 A/S 해드려요", "50% 할인, under_score"),
    (1, "care", "아이 돌봄", "주말 오후\n두 시간"),
    (2, "culture", "café 모임", "CAFÉ latte 🍙"),
    (1, "learning", "수학 과외", "중학생 수학, 영어"),
    (3, "food", "떡 만들기", "정지된 회원의 글"),  # its author is suspended below
    (0, "food", "닫힌 떡 나눔", "마감"),  # closed below
    (0, "food", "지난 떡 나눔", "만료"),  # expired below
] + [(index % 3, "food", f"김치 {index}", "반찬 나눔") for index in range(14)]

QUERIES = [
    "떡", "김치", "치", "볶이", "떡볶이", "김치찌개", "배추김치", "김치즈", "가래떡 2kg",
    "apple", "APPLE", "Apple", "app", "pine", "a", "e", "통조림", "1,000", "A/S", "a/s", "50%",
    "%", "_", "under_score", "\\", "café", "CAFÉ", "Café", "🍙", "오후", "후 두", "food",
    "Food", "goods", "care 아이", "김치 반찬", "김치 1", "떡 없는말", "없는말", "zzz", "정지된",
    "닫힌", "지난", "만료", "수학 영어", "학생", "z", "q1", "k", "u", "x",
]


@pytest.fixture
async def market(services, clock):
    actors = await seed_community(services, members=4)
    other = (await seed_community(services, "eunpyeong", members=2, first_user_id=301))[1]
    await services.market.create_post(other, kind="offer", category="food", title="떡 김치",
                                      description="다른 품앗이", price=None, photo_file_id=None)
    views = []
    for author, category, title, description in POSTS:
        views.append(await services.market.create_post(
            actors[author], kind="offer", category=category, title=title,
            description=description, price=None, photo_file_id=None))
        clock.advance(timedelta(minutes=1))
    await services.market.close(actors[0], views[10].post.id)
    async with services.db.write() as conn:  # one post past its expiry, the others not
        await conn.execute("UPDATE posts SET expires_at = ? WHERE id = ?",
                           ("2000-01-01 00:00:00", views[11].post.id))
    assert len(await services.market.expire_due()) == 1
    await services.membership.set_member_status(actors[0], 4, "suspended", "장기 미활동")
    return services, actors


@pytest.mark.parametrize("query", QUERIES)
async def test_search_finds_what_like_found(market, query):
    services, actors = market
    community_id = actors[0].community.id
    words = query.split()
    async with services.db.read() as conn:
        expected = await like_search(conn, community_id, words)
        found = [row["id"] for row in await post_rows.search_open(conn, community_id, words,
                                                                     1000, 0)]
    assert found == expected


async def test_the_table_covers_no_match_many_matches_and_hidden_posts(market):
    services, actors = market
    community_id = actors[0].community.id
    async with services.db.read() as conn:
        counts = {query: len(await like_search(conn, community_id, query.split()))
                  for query in QUERIES}
    assert counts["없는말"] == counts["김치즈"] == counts["떡 없는말"] == 0
    assert counts["김치"] == 16 and counts["떡"] == 2 and counts["a"] == 3
    assert counts["정지된"] == counts["닫힌"] == counts["지난"] == 0  # suspended, closed, expired
    assert counts["food"] > counts["김치"]  # the category counts too
    assert counts["APPLE"] == counts["apple"] == 1 and counts["CAFÉ"] == 1  # LIKE folds ASCII


async def test_pages_of_many_matches_follow_the_same_order(market):
    services, actors = market
    everything = []
    page = 0
    while True:
        result = await services.market.search(actors[1], "김치", page)
        everything += [post.id for post in result.posts]
        if not result.has_more:
            break
        page += 1
    async with services.db.read() as conn:
        assert everything == await like_search(conn, actors[0].community.id, ["김치"])
    assert len(everything) == 16


async def test_index_follows_close_expire_and_renew(services, clock):
    kim, lee, _ = await seed_community(services)
    view = await services.market.create_post(lee, kind="offer", category="food",
                                             title="가래떡 나눔", description="",
                                             price=None, photo_file_id=None)
    assert [p.id for p in (await services.market.search(kim, "떡")).posts] == [view.post.id]
    clock.advance(timedelta(days=31))
    await services.market.expire_due()
    assert (await services.market.search(kim, "떡")).posts == []
    await services.market.renew(lee, view.post.id)
    assert [p.id for p in (await services.market.search(kim, "떡")).posts] == [view.post.id]
    await services.market.renew(lee, view.post.id)  # renewing an open post keeps one entry
    await services.market.close(lee, view.post.id)
    assert (await services.market.search(kim, "떡")).posts == []
    async with services.db.read() as conn, conn.execute(
            "SELECT COUNT(*) FROM posts_search") as cursor:
        assert (await cursor.fetchone())[0] == 0
    assert (await services.verify()).ok


async def test_text_changed_elsewhere_leaves_the_index_and_verify_says_so(services):
    """Whoever rewrites a post's text (an erasure, a fix by hand), its old words stop
    matching at once; verify names the open post that is no longer searchable."""
    kim, lee, _ = await seed_community(services)
    view = await services.market.create_post(lee, kind="offer", category="food",
                                             title="가래떡 나눔", description="",
                                             price=None, photo_file_id=None)
    assert (await services.verify()).ok
    async with services.db.write() as conn:
        await conn.execute("UPDATE posts SET title = '삭제된 글' WHERE id = ?", (view.post.id,))
    assert (await services.market.search(kim, "떡")).posts == []
    report = await services.verify()
    assert f"post {view.post.id}: missing from the market search index" in report.problems


async def test_verify_catches_an_index_out_of_date(services):
    kim, lee, _ = await seed_community(services)
    view = await services.market.create_post(lee, kind="offer", category="food",
                                             title="가래떡 나눔", description="",
                                             price=None, photo_file_id=None)
    stale = post_search_terms(kim.community.id, "food", "떡", "")
    postgres = services.db.engine == POSTGRESQL
    async with services.db.write() as conn:
        if postgres:
            await conn.execute("UPDATE posts_search SET terms = CAST(? AS tsvector)"
                               " WHERE post_id = ?", (pg_terms(stale), view.post.id))
        else:
            await conn.execute("UPDATE posts_search SET terms = ? WHERE rowid = ?",
                               (stale, view.post.id))
    report = await services.verify()
    assert f"post {view.post.id}: out of date in the market search index" in report.problems
    if postgres:  # its index refers to posts by foreign key: no entry outlives its post
        with pytest.raises(IntegrityError):
            async with services.db.write() as conn:
                await conn.execute("INSERT INTO posts_search (post_id, terms) VALUES (999, '')")
        return
    async with services.db.write() as conn:
        await conn.execute("DELETE FROM posts_search")
        await conn.execute("INSERT INTO posts_search (rowid, terms) VALUES (999, 'q1')")
    report = await services.verify()
    assert f"post {view.post.id}: missing from the market search index" in report.problems
    assert "post 999: not open but still in the market search index" in report.problems


def test_terms_and_queries():
    terms = post_search_terms(7, "food", "떡볶이", "A b")
    assert terms.split() == ["q7", "k66x6fx6fx64", "z", "b5a1xbcf6", "bcf6xc774", "z",
                             "61x20", "20x62", "z", "u20", "u61", "u62", "ub5a1", "ubcf6",
                             "uc774"]
    assert search_match(7, ["떡", "Ab"]) == (
        '"q7" AND ("ub5a1" OR "kb5a1") AND ("61x62" OR "k41x62")')


def test_postgresql_terms_and_queries():
    assert pg_terms("q7 k66 z b5a1xbcf6") == "'q7':1 'k66':2 'z':3 'b5a1xbcf6':4"
    assert pg_search_query(7, ["떡", "Ab"]) == (
        "'q7' & (('ub5a1') | 'kb5a1') & (('61x62') | 'k41x62')")
