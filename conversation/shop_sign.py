"""The counter sign of a shop: its QR code as a PNG, and a printable A6 PDF with the shop's
name, the QR and how to pay, in Korean (NanumGothic, the font koreanize-matplotlib ships)."""

from __future__ import annotations

import importlib.util
import io
import logging
from pathlib import Path

from conversation.josa import attach

SHOP_PREFIX = "shop_"
A6 = (105, 148)  # millimetres


def shop_link(start_link: str, token: str) -> str:
    """The deep link that opens the bot with the shop chosen."""
    return f"{start_link}{SHOP_PREFIX}{token}"


def qr_png(link: str, *, scale: int = 10) -> bytes:
    import segno  # only when a sign is made

    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _font(bold: bool = False) -> Path:
    # Found without importing the package, which would set up matplotlib for nothing.
    spec = importlib.util.find_spec("koreanize_matplotlib")
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return folder / ("NanumGothicBold.ttf" if bold else "NanumGothic.ttf")


def sign_pdf(*, name: str, number: int, short_code: str, unit: str, share_percent: int,
             link: str) -> bytes:
    """One A6 page: the name, the QR, and the steps to pay, in Korean (the counter's sign is
    read by the residents, whatever the owner's language)."""
    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # subsetting notes, not problems
    pdf = FPDF(format=A6)
    pdf.set_auto_page_break(False)
    pdf.set_margins(8, 8, 8)
    pdf.add_font("Nanum", "", str(_font()))
    pdf.add_font("Nanum", "B", str(_font(bold=True)))
    pdf.add_page()
    pdf.set_font("Nanum", "B", 18)
    pdf.multi_cell(0, 9, name, align="C")
    pdf.set_font("Nanum", "", 10)
    pdf.cell(0, 6, attach(f"품앗이 가맹점 {number}번 · {unit}(으)로 최대 {share_percent}%"),
             align="C", new_x="LMARGIN", new_y="NEXT")
    size = 60
    pdf.image(io.BytesIO(qr_png(link)), x=(A6[0] - size) / 2, y=pdf.get_y() + 3, w=size,
              h=size)
    pdf.set_y(pdf.get_y() + size + 6)
    pdf.set_font("Nanum", "", 10)
    steps = (
        "1. 휴대폰 카메라로 QR을 찍어 품앗이 봇을 열어요.",
        "2. 계산할 금액을 적으면 품앗이와 현금으로 나눠 보여 드려요.",
        "3. '보내기'를 누르고, 나머지는 현금으로 내 주세요.",
        f"카카오톡이나 다른 곳에서는 '가게 {short_code}' 라고 보내 주세요.",
    )
    for step in steps:
        pdf.multi_cell(0, 5.5, step, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
