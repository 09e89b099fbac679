"""What surveys look like in chat: the invitation, one question with its buttons, the
results and the years side by side. Every piece of user text is escaped."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from conversation.i18n import Translator
from conversation.limits import cut, fit_lines
from conversation.render import more_text
from conversation.replies import Button, Rows, keyboard
from core.models import Community
from core.survey_models import SCALE, Progress, Survey, closes_too_soon
from core.survey_results import MIN_ANONYMOUS, SurveyResults, Trend

OPTION_LABEL = 40
TEXTS_SHOWN = 20  # free-text answers listed in chat; the CSV has them all
_SECOND = timedelta(seconds=1)  # a survey closes at midnight: its last day is the day before


def invitation(tr: Translator, survey: Survey, community: Community) -> str:
    """The invitation every member of the audience gets (rendered once, like a notice)."""
    lines = [tr("📋 <b>{community} survey</b>: {title}", community=escape(community.name),
                title=escape(survey.title)),
             tr("{count} questions, answered with buttons.", count=len(survey.questions))]
    if survey.anonymous:
        lines.append(tr("It is anonymous: no one sees who answered what."))
    if survey.closes_at is not None:
        lines.append(tr("Open until {day}.", day=tr.date(survey.closes_at - _SECOND)))
    lines.append(tr("To answer, send /survey or write “설문”."))
    return "\n".join(lines)


def invitation_parts(tr: Translator, survey: Survey, community: Community) -> tuple[str, str]:
    """The invitation and its button's label, as the notice outbox stores them."""
    return invitation(tr, survey, community), tr("📋 Answer the survey")


def start_button(tr: Translator, survey_id: int) -> Rows:
    return keyboard([[Button(tr("📋 Answer the survey"), f"svy:go:{survey_id}")]])


def held_back(tr: Translator, survey: Survey) -> tuple[str, Rows]:
    """To the coordinator, from the sweep: a survey whose opening day came after its closing
    day had passed was not sent, and waits among the drafts for a new closing day."""
    return (tr("Survey S{id} ‘{title}’ was due to go out, but its closing day has passed, so "
               "it was not sent. It is back among the surveys not sent: choose a new closing "
               "day, then send it.", id=survey.id, title=escape(cut(survey.title, 60))),
            keyboard([[Button(tr("Open S{id}", id=survey.id), f"svya:v:{survey.id}")]]))


def question_text(tr: Translator, progress: Progress) -> str:
    question = progress.question
    assert question is not None
    lines = [tr("📋 {title} ({number}/{total})", title=escape(progress.survey.title),
                number=progress.answered + 1, total=progress.total),
             f"<b>{escape(question.text)}</b>"]
    if question.kind == "scale":
        lines.append(tr("1 = not at all … 5 = very much"))
    elif question.kind == "multi":
        lines.append(tr("Tick all that apply, then tap Done."))
    elif question.kind == "text":
        lines.append(tr("Please write your answer and send it."))
    if question.optional:
        lines.append(tr("(You may skip this one.)"))
    return "\n".join(lines)


def question_buttons(tr: Translator, progress: Progress) -> Rows:
    question = progress.question
    assert question is not None
    prefix = f"{progress.survey.id}:{question.id}"
    rows: list[list[Button]] = []
    if question.kind == "scale":
        rows.append([Button(str(point), f"svy:v:{prefix}:{point}") for point in SCALE])
    elif question.kind == "choice":
        rows += [[Button(cut(option, OPTION_LABEL), f"svy:v:{prefix}:{index}")]
                 for index, option in enumerate(question.options)]
    elif question.kind == "multi":
        for index, option in enumerate(question.options):
            picked = index in progress.picks
            rows.append([Button(("☑ " if picked else "☐ ") + cut(option, OPTION_LABEL),
                                f"svy:p:{prefix}:{index}:{0 if picked else 1}")])
        rows.append([Button(tr("✅ Done"), f"svy:d:{prefix}")])
    last = [Button(tr("Later"), f"svy:x:{progress.survey.id}")]
    if question.optional:
        last.insert(0, Button(tr("Skip"), f"svy:s:{prefix}"))
    rows.append(last)
    return keyboard(rows)


def finished_text(tr: Translator, survey: Survey) -> str:
    return tr("🙏 Thank you! Your answers to “{title}” are saved.", title=escape(survey.title))


def reminder_text(tr: Translator, survey: Survey) -> str:
    return tr("⏰ The survey “{title}” closes {day}. You can pick up where you left off.",
              title=escape(survey.title), day=tr.date(survey.closes_at - _SECOND)
              if survey.closes_at else "")


def status_name(tr: Translator, status: str) -> str:
    return {"draft": tr("not sent yet"), "scheduled": tr("to be sent on its opening day"),
            "open": tr("open"), "closed": tr("closed")}.get(status, status)


def survey_line(tr: Translator, survey: Survey, now: datetime) -> str:
    line = tr("S{id} {title} · {status}", id=survey.id, title=escape(cut(survey.title, 60)),
              status=status_name(tr, survey.status))
    if survey.status == "scheduled" and survey.opens_at is not None:
        line += " · " + tr.date(survey.opens_at)
    if survey.status in ("draft", "scheduled") and closes_too_soon(survey.closes_at, now):
        line += " · " + tr("⚠️ its closing day has passed or is too near: choose a new one")
    return line


def results_text(tr: Translator, results: SurveyResults) -> str:
    survey = results.survey
    head = "\n".join([
        tr("<b>Results: {title}</b> ({status})", title=escape(survey.title),
           status=status_name(tr, survey.status)),
        tr("Invited {invited} · started {started} · finished {finished}",
           invited=tr.number(results.invited), started=tr.number(results.started),
           finished=tr.number(results.finished))])
    lines = []
    for number, summary in enumerate(results.questions, start=1):
        question = summary.question
        lines.append(tr("<b>{number}. {text}</b> ({count} answers)", number=number,
                        text=escape(cut(question.text, 120)), count=summary.answers))
        if summary.hidden:
            lines.append("  " + tr("Fewer than {minimum} answers: not shown, so no one can "
                                   "be recognised.", minimum=MIN_ANONYMOUS))
            continue
        if summary.mean is not None:
            lines.append("  " + tr("Mean {mean} out of 5", mean=f"{summary.mean:.2f}"))
        if summary.counts:
            lines.append("  " + " · ".join(f"{escape(cut(label, 30))}: {count}"
                                           for label, count in summary.counts))
        for who, text in summary.texts[:TEXTS_SHOWN]:
            shown = escape(cut(text, 200))
            lines.append(f"  – {shown}" + (f" ({escape(who)})" if who else ""))
        if len(summary.texts) > TEXTS_SHOWN:
            lines.append("  " + more_text(tr, len(summary.texts) - TEXTS_SHOWN))
    text, _ = fit_lines(head, lines, lambda count: more_text(tr, count))
    return text


def trends_text(tr: Translator, community: Community, trends: list[Trend]) -> str:
    head = tr("<b>{community}: the same questions year by year</b>",
              community=escape(community.name))
    if not trends:
        return head + "\n" + tr("No question was asked in two different years yet. Send the "
                                "standard survey each year to compare.")
    lines = []
    for trend in trends:
        points = []
        for point in trend.years:
            if point.mean is not None:
                points.append(tr("{year}: {mean} ({count} answers)", year=point.year,
                                 mean=f"{point.mean:.2f}", count=point.answers))
            else:
                points.append(tr("{year}: {count} answers", year=point.year,
                                 count=point.answers))
        lines.append(f"<b>{escape(cut(trend.text, 80))}</b>\n  " + " · ".join(points))
    text, _ = fit_lines(head, lines, lambda count: more_text(tr, count))
    return text
