"""/export of more than Telegram takes in one document: the transfers come as ZIP files of
monthly CSV files, each under the limit, and nothing is lost."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from bot.updates import FakeUser
from conversation.flows import stats as stats_flow
from storage.bulk import seed_large_community

TRANSFERS = 10_000
COORDINATOR = FakeUser(5000, "회원1", "member1")


@pytest.mark.sqlite_only  # storage/bulk.py loads SQLite files only
async def test_a_transfers_file_too_big_for_one_document_comes_zipped_by_month(harness,
                                                                              monkeypatch):
    seed_large_community(harness.services.db.path, code="big", members=50,
                         transfers=TRANSFERS, posts=0, first_user_id=COORDINATOR.id)
    limit = 200_000  # the transfers' CSV is some 0.8 MB
    monkeypatch.setattr(stats_flow, "DOCUMENT_LIMIT", limit)
    calls = await harness.send(COORDINATOR, "/export 2023-01-01 2025-12-31")
    documents = [c for c in calls if c.method == "sendDocument"]
    names = [name for c in documents for name in c.files]
    zips = [name for name in names if name.endswith(".zip")]
    assert len(zips) > 1 and zips == [f"big-transfers-{n}.zip" for n in range(1, len(zips) + 1)]
    assert names[len(zips):] == ["big-members.csv", "big-posts.csv", "big-events.csv",
                                 "big-report.xlsx"]
    rows, months = [], []
    for call in documents[:len(zips)]:
        assert "한 달에 CSV 파일 하나씩" in call.text
        content = next(iter(call.files.values()))
        assert len(content) <= limit
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                assert re.fullmatch(r"big-transfers-\d{4}-\d{2}(-\d)?\.csv", name), name
                months.append(name[14:21])
                lines = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                assert lines[0][:2] == ["거래 번호", "일시"]
                rows += lines[1:]
    assert len(rows) == TRANSFERS and len({row[0] for row in rows}) == TRANSFERS
    assert months[0] == "2023-01" and months[-1] == "2025-12" and months == sorted(months)
    assert "2023-01-01부터 2025-12-31까지의 자료예요" in documents[-1].text
