"""/report on every channel (`any_harness`): refused to a coordinator, made for a foundation
admin; the PDF and XLSX arrive where the channel carries files (Telegram, the console), and
KakaoTalk, which carries none, says so and where to get them."""

from __future__ import annotations

import io

from pypdf import PdfReader

from conversation.limits import plain_text
from tests.conftest import KIM, LEE
from tests.support import ADMIN, open_community


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


def documents(calls) -> dict[str, bytes]:
    found = {}
    for call in calls:
        if call.method != "sendDocument":
            continue
        if hasattr(call, "files"):  # Telegram's recorded upload
            found.update(call.files)
        else:  # the console shows the file itself
            found[call.shown.filename] = call.shown.content
    return found


async def test_an_admin_gets_the_year_report_on_every_channel(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE,))
    assert "재단" in said(await harness.send(KIM, "/report 2026"))
    calls = await harness.send(ADMIN, "/report 2026")
    shown = said(calls)
    assert "2026년" in shown
    names = ("pumasi-report-2026-all.pdf", "pumasi-report-2026-all.xlsx")
    if harness.channel == "kakao":
        for name in names:
            assert f"{name} 파일은 보내지 못했어요" in shown
        # where to get them: the report's own command, not the ledger's export
        assert shown.count("“pumasi report”") == 2 and "pumasi export" not in shown
        assert not documents(calls)
        return
    files = documents(calls)
    assert sorted(files) == list(names)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files[names[0]])).pages)
    assert "모든 지역 품앗이 2026년 성과 자료집" in text
