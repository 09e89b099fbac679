"""A survey's chart: one bar chart per question with counts (scales and choices), drawn in
the chart process (`conversation.charts.draw_chart`). Questions hidden by the anonymity rule
and written answers have no bars."""

from __future__ import annotations

from conversation.charts import hangul_fonts, png
from conversation.i18n import Translator
from core.survey_results import SurveyResults

CHARTED_MAX = 12  # questions in one picture; the files have them all


def chart_series(results: SurveyResults) -> list[tuple[str, list[tuple[str, int]]]]:
    """(question, [(answer, count)]) for each question the chart shows."""
    return [(summary.question.text, list(summary.counts))
            for summary in results.questions if summary.counts][:CHARTED_MAX]


def survey_chart(tr: Translator, results: SurveyResults) -> bytes:
    series = chart_series(results)
    with hangul_fonts():
        from matplotlib.figure import Figure

        figure = Figure(figsize=(8, 2.2 * max(1, len(series)) + 0.6), dpi=100)
        axes = figure.subplots(max(1, len(series)), 1, squeeze=False)
        for (text, counts), (ax,) in zip(series, axes, strict=False):
            labels = [label[:20] for label, _ in counts]
            ax.barh(range(len(counts)), [count for _, count in counts], color="#2e7d32")
            ax.set_yticks(range(len(counts)), labels)
            ax.invert_yaxis()
            ax.set_title(text if len(text) <= 60 else text[:59] + "…", fontsize=10)
            ax.xaxis.get_major_locator().set_params(integer=True)
        figure.suptitle(results.survey.title[:60])
        figure.tight_layout()
        return png(figure)
