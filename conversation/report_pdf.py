"""The year's report as a PDF in Korean: fpdf2 with NanumGothic (the font koreanize-matplotlib
ships), a table per section, the charts, the stories' text. Runs in the report's child
process (conversation.report_job)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from conversation.charts import hangul_font_path
from conversation.i18n import Translator
from conversation.report_sections import Amount, Cell, Section

FONT = "NanumGothic"


def cell_text(tr: Translator, value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, Amount):
        return tr.amount(value.value, value.unit) if value.unit else tr.number(value.value)
    if isinstance(value, int):
        return tr.number(value)
    return value


def write_pdf(tr: Translator, title: str, subtitle: str, sections: list[Section],
              path: Path) -> Path:
    from fpdf import FPDF

    # fontTools says, for every font embedded, which tables it cannot subset: noise here.
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(title)
    pdf.set_creator("pumasi-bot")
    regular = hangul_font_path()
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(regular.with_name("NanumGothicBold.ttf")))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 7, subtitle, new_x="LMARGIN", new_y="NEXT")
    for section in sections:
        _section(pdf, tr, section)
    pdf.output(str(path))
    return path


def _section(pdf, tr: Translator, section: Section) -> None:
    pdf.ln(6)
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 9, section.title, new_x="LMARGIN", new_y="NEXT")
    if section.note:
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 5, section.note, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if section.paragraphs:
        for heading, text in section.paragraphs:
            pdf.set_font(FONT, "B", 11)
            pdf.multi_cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, "", 10)
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    elif section.rows:
        _table(pdf, tr, section)
    if section.chart is not None:
        image = section.chart()
        if pdf.get_y() > pdf.h - 120:
            pdf.add_page()
        pdf.image(io.BytesIO(image), w=220)


def _table(pdf, tr: Translator, section: Section) -> None:
    pdf.set_font(FONT, "", 9)
    first = 1.6 if len(section.headers) > 2 else 1.0  # the label column is wider
    widths = [first] + [1.0] * (len(section.headers) - 1)
    aligns = ["LEFT"] + ["RIGHT" if _numeric(section, column) else "LEFT"
                         for column in range(1, len(section.headers))]
    with pdf.table(col_widths=widths, text_align=aligns, line_height=6,
                   headings_style=_headings()) as table:
        heading = table.row()
        for name in section.headers:
            heading.cell(name)
        for values in section.rows:
            row = table.row()
            for value in values:
                row.cell(cell_text(tr, value))


def _numeric(section: Section, column: int) -> bool:
    return all(isinstance(values[column], int | Amount) or values[column] is None
               for values in section.rows)


def _headings():
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", fill_color=(230, 240, 230))
