"""The counter sign: the QR decodes to the shop's deep link, the PDF carries the shop's name in
Hangul as text; from the owner's shop menu on Telegram and from `pumasi merchant qr`."""

from __future__ import annotations

import io

import pypdf
import zxingcpp
from PIL import Image

from bot.cli import main
from tests.conftest import KIM, LEE, PARK
from tests.conversation.test_merchant_scenarios import register_shop, shop_of
from tests.conversation.test_merchant_scenarios import said as said_in
from tests.support import open_community


def decoded(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


async def test_the_owner_gets_a_qr_that_opens_the_shop_and_a_printable_sign(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    shop = await shop_of(harness)
    calls = await harness.tap(LEE, "shm:qr:1")
    photo = next(call for call in calls if call.method == "sendPhoto")
    link = decoded(next(iter(photo.files.values())))
    assert link == f"https://t.me/pumasi_bot?start=shop_{shop['token']}"
    document = next(call for call in calls if call.method == "sendDocument")
    text = pdf_text(next(iter(document.files.values())))
    assert "마포 떡집" in text and f"가게 {shop['short_code']}" in text
    # the link opens the shop for a member, who is asked for the bill
    opened = "\n".join(c.text for c in await harness.send(PARK, "/start " + link.split("=")[1]))
    assert "마포 떡집" in opened and "계산 금액" in opened


async def test_staff_who_are_not_the_owner_get_no_sign(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, "shm:staff:1")
    await harness.tap(LEE, "shm:add:1")  # the staff list's Add
    await harness.send(LEE, "#3")
    menu = [data for call in await harness.send(PARK, "/shop") for _, data in call.buttons]
    assert "tk:d:1" in menu  # PARK works there: the takings…
    assert "shm:qr:1" not in menu  # …but no sign button
    calls = await harness.tap(PARK, "shm:qr:1")  # a forged or stale tap
    assert "가게 주인만 할 수 있어요. 가게 주인에게 부탁해 주세요." in said_in(calls)
    assert not [call for call in calls if call.method in ("sendPhoto", "sendDocument")]
    assert not [call for call in calls if call.files]  # no PNG, no PDF


async def test_the_command_line_writes_the_png_and_the_pdf(harness, tmp_path, monkeypatch,
                                                           capsys):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    shop = await shop_of(harness)
    db_path = harness.services.db.path
    monkeypatch.setenv("PUMASI_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    out = tmp_path / "signs"
    assert await _main(["merchant", "qr", "--community", "mapo", "--merchant", "1", "--out",
                        str(out), "--bot", "pumasi_bot"]) == 0
    link = decoded((out / "mapo-shop-1.png").read_bytes())
    assert link == f"https://t.me/pumasi_bot?start=shop_{shop['token']}"
    assert "마포 떡집" in pdf_text((out / "mapo-shop-1-sign.pdf").read_bytes())
    assert await _main(["merchant", "qr", "--community", "mapo", "--merchant", "9", "--out",
                        str(out), "--bot", "pumasi_bot"]) == 1


async def _main(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(main, argv)


async def test_the_sign_button_on_every_channel(any_harness):
    """Telegram sends the QR and the sign; elsewhere there is no deep link for a QR, so the
    owner learns the code customers type, and where the signs are made."""
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    shop = await shop_of(harness)
    await harness.send(LEE, "/shop")
    calls = await harness.tap(LEE, "shm:qr:1")
    sent = [call.method for call in calls if call.method in ("sendPhoto", "sendDocument")]
    if harness.channel == "telegram":
        assert sent == ["sendPhoto", "sendDocument"]
        return
    assert not sent
    answer = "\n".join(call.text for call in calls if call.text)
    assert f"가게 {shop['short_code']}" in answer and "pumasi merchant qr" in answer


def test_the_sign_is_one_a6_page_that_reads_right_whatever_the_unit():
    from conversation.shop_sign import sign_pdf

    for unit, said in (("문", "문으로"), ("나누미", "나누미로")):
        content = sign_pdf(name="동네 카페", number=3, short_code="1234", unit=unit,
                           share_percent=40, link="https://t.me/pumasi_bot?start=shop_x")
        text = pdf_text(content)
        assert f"{said} 최대 40%" in text, text
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    millimetres = [round(float(side) / 72 * 25.4) for side in pages[0].mediabox[2:]]
    assert len(pages) == 1 and millimetres == [105, 148]  # one A6 page
