"""The CSV and XLSX exports: no text becomes a live formula, and no stored code (`active`,
`pay`, `food`) reaches the coordinator's spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from conversation.exports import csv_cell, csv_files, formula_like, xlsx_workbook
from conversation.i18n import translator
from core.models import Community
from core.stats import CommunityStats, ExportData, PeriodTotals
from tests.support import seed_community

EVIL_NAME = '=HYPERLINK("http://x","y")'
MEMOS = ["+1+2", "@SUM(A1)", "-2+3"]


def csv_rows(files: dict[str, bytes], name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"))))


@pytest.fixture
async def evil(services):
    """A member named like a formula, memos like formulas, a post titled like one."""
    kim, lee, park = await seed_community(services)
    await services.people.resolve("telegram", "102", EVIL_NAME, "user102")
    lee = await services.people.reload(lee.person.id)
    for index, memo in enumerate(MEMOS):
        view = await services.ledger.start_trade(lee, kind="pay", counterparty="#3",
                                                 amount=1000, memo=memo,
                                                 request_key=f"evil{index}")
        await services.ledger.confirm_pay(lee, view.request.id)
    await services.market.create_post(lee, kind="offer", category="food", title="=1+1",
                                      description="", price=None, photo_file_id=None)
    data = await services.stats.export(kim, datetime(2020, 1, 1, tzinfo=UTC),
                                       datetime(2030, 1, 1, tzinfo=UTC))
    # Tab and CR starts, as text stored by some other path would have them.
    data.transfers[0]["memo"] = "\t=1+1"
    data.transfers[1]["memo"] = "\r=1+1"
    return data


def test_formula_like_is_the_owasp_rule():
    for text in ("=1", "+1", "-1", "@a", "\t1", "\r1"):
        assert formula_like(text) and csv_cell(text) == "'" + text
    for value in ("1-2", "김=1", "", -300, 0, None, "T5", "2026-01-01 09:00"):
        assert not formula_like(value) and csv_cell(value) == value


async def test_csv_cells_that_start_like_a_formula_stay_text(evil):
    files = csv_files(translator("ko"), evil)
    transfers = csv_rows(files, "mapo-transfers.csv")
    memos = [row[8] for row in transfers[1:]]
    assert memos == ["'\t=1+1", "'\r=1+1", "'-2+3"]
    assert {row[4] for row in transfers[1:]} == {"'" + EVIL_NAME}
    members = csv_rows(files, "mapo-members.csv")
    assert ["2", "'" + EVIL_NAME] == members[2][:2]
    assert members[2][5] == "-3000"  # a negative balance stays a number, unquoted
    posts = csv_rows(files, "mapo-posts.csv")
    assert posts[1][4] == "'=1+1" and posts[1][8] == "'" + EVIL_NAME
    for name in files:
        for row in csv_rows(files, name):
            for cell in row:  # only numbers (balances, limits) may start with a minus
                assert not formula_like(cell) or re.fullmatch(r"-\d+", cell), (name, cell)


async def test_xlsx_has_no_formula_and_keeps_the_text_exactly(evil):
    evil.transfers[2]["memo"] = "@SUM(A1)"
    workbook = load_workbook(io.BytesIO(xlsx_workbook(translator("ko"), evil)))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if formula_like(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    transfers = [[c.value for c in row] for row in workbook["거래 내역"].iter_rows()]
    # (XML reads a stored CR back as a line feed; the cell is text either way.)
    assert [row[8] for row in transfers[1:]] == ["\t=1+1", "\n=1+1", "@SUM(A1)"]
    assert transfers[1][4] == EVIL_NAME and transfers[1][7] == 1000
    members = [[c.value for c in row] for row in workbook["회원 목록"].iter_rows()]
    assert members[2][1] == EVIL_NAME and members[2][5] == -3000  # a number, not text
    posts = [[c.value for c in row] for row in workbook["게시물"].iter_rows()]
    assert posts[1][4] == "=1+1"


# Every code the database allows (see the CHECK constraints of the migrations).
TRANSFERS = [("pay", None), ("charge", None), ("reversal", None), ("pay", "event_fee"),
             ("reversal", "event_refund"), ("pay", "event_reward")]
ROLES = ["member", "coordinator"]
MEMBER_STATUSES = ["pending", "active", "suspended", "rejected"]
POST_KINDS = ["offer", "request"]
CATEGORIES = ["goods", "food", "care", "learning", "repair", "health", "culture", "other"]
POST_STATUSES = ["open", "closed", "expired"]
EVENT_KINDS = ["study", "meeting", "trip"]
EVENT_STATUSES = ["scheduled", "cancelled"]
CODES = {code for pair in TRANSFERS for code in pair if code} | set(
    ROLES + MEMBER_STATUSES + POST_KINDS + CATEGORIES + POST_STATUSES + EVENT_KINDS
    + EVENT_STATUSES)


def every_code() -> ExportData:
    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    community = Community(id=1, code="mapo", name="마포 품앗이", unit="문", credit_floor=-1000,
                          credit_ceiling=1000, approval="auto", open_ledger=False)
    totals = PeriodTotals(0, 0, 0, 0, 0, 0)
    transfers = [dict(id=i, created_at=moment, kind=kind, purpose=purpose, amount=100,
                      memo=None, reason=None, reverses_id=1 if kind == "reversal" else None,
                      payer_number=1, payer_name="김영희", payee_number=2, payee_name="이철수",
                      channel=None)
                 for i, (kind, purpose) in enumerate(TRANSFERS, start=1)]
    members = [dict(number=i, display_name="회원", username=None, role=ROLES[i % 2],
                    status=status, created_at=moment, decided_at=None, balance=0,
                    credit_floor=-1000, credit_ceiling=1000)
               for i, status in enumerate(MEMBER_STATUSES, start=1)]
    posts = [dict(id=i, created_at=moment, kind=POST_KINDS[i % 2], category=category,
                  title="글", price=None, status=POST_STATUSES[i % 3], author_number=1,
                  author_name="김영희")
             for i, category in enumerate(CATEGORIES, start=1)]
    events = [dict(id=i, kind=kind, title="모임", starts_at=moment, ends_at=moment, place=None,
                   capacity=None, status=EVENT_STATUSES[i % 2], signed_up=0, attended=0)
              for i, kind in enumerate(EVENT_KINDS + ["study"], start=1)]
    stats = CommunityStats(community, 2026, totals, totals, totals, [], [])
    return ExportData(community, moment, moment, transfers, members, posts, events, stats)


def test_the_fixture_has_every_code_of_each_column():
    data = every_code()
    assert {(t["kind"], t["purpose"]) for t in data.transfers} == set(TRANSFERS)
    assert {m["role"] for m in data.members} == set(ROLES)
    assert {m["status"] for m in data.members} == set(MEMBER_STATUSES)
    assert {p["kind"] for p in data.posts} == set(POST_KINDS)
    assert {p["category"] for p in data.posts} == set(CATEGORIES)
    assert {p["status"] for p in data.posts} == set(POST_STATUSES)
    assert {e["kind"] for e in data.events} == set(EVENT_KINDS)
    assert {e["status"] for e in data.events} == set(EVENT_STATUSES)


CODED_COLUMNS = {"ko": ("종류", "역할", "상태", "분류"),
                 "en": ("Kind", "Role", "Status", "Category")}


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_exports_show_words_not_codes(locale):
    tr = translator(locale)
    data = every_code()
    sheets = {name.rsplit("-", 1)[1][:-4]: csv_rows(files, name)
              for files in [csv_files(tr, data)] for name in files}
    workbook = load_workbook(io.BytesIO(xlsx_workbook(tr, data)))
    sheets.update({f"xlsx:{sheet.title}": [[c.value for c in row] for row in sheet.iter_rows()]
                   for sheet in workbook.worksheets[1:]})
    checked = 0
    for name, rows in sheets.items():
        header = rows[0]
        for column, title in enumerate(header):
            if title not in CODED_COLUMNS[locale]:
                continue
            for row in rows[1:]:
                checked += 1
                assert row[column] not in CODES and row[column], (name, title, row[column])
                if locale == "ko":
                    assert not re.search("[A-Za-z]", row[column]), (name, title, row[column])
    assert checked == 2 * (6 + 4 * 2 + 8 * 3 + 4 * 2)
    transfers = [row[2] for row in sheets["transfers"][1:]]
    if locale == "ko":
        assert transfers == ["보내기", "지불 요청", "정정", "참가비", "참가비 환불", "참석 보상"]
        assert [row[2] for row in sheets["members"][1:]] == ["운영위원", "회원"] * 2
        assert [row[3] for row in sheets["members"][1:]] == [
            "승인 대기", "활동 중", "정지", "승인 안 됨"]
        assert sheets["posts"][2][2:4] == ["드려요", "먹거리"]


def test_an_unknown_code_is_shown_as_it_is():
    data = every_code()
    data = replace(data, members=[dict(data.members[0], status="archived")])
    rows = csv_rows(csv_files(translator("ko"), data), "mapo-members.csv")
    assert rows[1][3] == "archived"
