"""/surveys for coordinators: the community's surveys, each to send, close, see results of
(text, chart, CSV and XLSX files); the standard trust and community-consciousness template;
the same questions year by year; and a new survey built in chat (`survey_builder`)."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from conversation import keyboards
from conversation.charts import draw_chart
from conversation.error_text import error_text
from conversation.flows import survey_opening
from conversation.i18n import Translator
from conversation.replies import Button, Rows, keyboard
from conversation.survey_files import results_files
from conversation.survey_text import (
    invitation,
    invitation_parts,
    results_text,
    status_name,
    survey_line,
    trends_text,
)
from conversation.turn import Turn, parse_id
from core.errors import DomainError
from core.membership import require_active_member
from core.survey_models import Survey, closes_too_soon
from core.survey_templates import template
from core.surveys import AUDIENCE_DAYS, CHAT_AUDIENCES, CLOSE_IN_DAYS

TEMPLATE = "trust_community"
_ONE_SECOND = timedelta(seconds=1)


def _require_coordinator(turn: Turn) -> None:
    require_active_member(turn.actor)
    if not turn.actor.membership.is_coordinator:
        raise DomainError("not_coordinator")


async def surveys(turn: Turn) -> None:
    await survey_opening.leave(turn)  # even when refused here (another community)
    _require_coordinator(turn)
    tr = turn.tr
    found = await turn.services.surveys.list(turn.actor)
    lines = [tr("<b>Surveys</b>")]
    now = turn.services.clock.now()
    lines += [survey_line(tr, s, now) for s in found] or [tr("No surveys yet.")]
    rows = [[Button(f"S{s.id} " + s.title[:30], f"svya:v:{s.id}")] for s in found]
    rows += [[Button(tr("📋 Standard survey: trust and community"), f"svya:tpl:{TEMPLATE}")],
             [Button(tr("✏️ New survey"), "svya:new")],
             [Button(tr("📈 Year by year"), "svya:yoy")]]
    await turn.reply("\n".join(lines), keyboard(rows))


async def on_button(turn: Turn) -> None:
    parts = turn.data.split(":")
    kind = parts[1] if len(parts) > 1 else ""
    if kind != "op":  # anything else done here ends the wait for a written opening day
        await survey_opening.leave(turn)
    _require_coordinator(turn)
    if kind == "tpl" and len(parts) == 3 and parts[2] == TEMPLATE:
        survey = await turn.services.surveys.create(turn.actor, template(TEMPLATE),
                                                    reuse_unsent=True)
        await view(turn, survey)
        return
    if kind == "yoy":
        await _years(turn)
        return
    if kind == "new":
        from conversation.flows.survey_builder import begin

        await begin(turn)
        return
    survey_id = parse_id(turn.data)
    if survey_id is None:
        await turn.answer(turn.tr("This step is over."))
        return
    survey = await turn.services.surveys.get(turn.actor, survey_id)
    if kind == "v":
        await view(turn, survey)
    elif kind == "send" and _too_late(turn, survey):
        await _closing_passed(turn, survey)
    elif kind == "send":
        count = await turn.services.surveys.count_audience(survey)
        await turn.edit(turn.tr("<b>Preview</b>") + "\n" + _invitation(turn, survey) + "\n\n"
                        + turn.tr("It will go to {count} members.", count=count),
                        keyboard([[Button(turn.tr("📣 Send"), f"svya:ok:{survey.id}"),
                                   Button(turn.tr("Cancel"), f"svya:v:{survey.id}")]]))
    elif kind == "ok":
        await _send(turn, survey)
    elif kind == "cl" and len(parts) == 4 and parts[2] in {str(d) for d in CLOSE_IN_DAYS}:
        await view(turn, await turn.services.surveys.set_closing(turn.actor, survey.id,
                                                                 int(parts[2])))
    elif kind == "op" and survey.status in ("draft", "scheduled"):
        await survey_opening.ask(turn, survey)
    elif kind == "od" and len(parts) == 4:
        try:
            day = survey_opening.parse_day_action(parts[2])
        except ValueError:
            await turn.answer(turn.tr("This step is over."))
            return
        await survey_opening.choose(turn, survey.id, day)
    elif kind == "who" and survey.status in ("draft", "scheduled"):
        await turn.edit(turn.tr("Who should get it?"), keyboard(
            [[Button(audience_name(turn.tr, audience), f"svya:to:{audience}:{survey.id}")]
             for audience in CHAT_AUDIENCES]
            + [[Button(turn.tr("Cancel"), f"svya:v:{survey.id}")]]))
    elif kind == "to" and len(parts) == 4 and parts[2] == "event":
        await _events(turn, survey)
    elif kind == "ev" and len(parts) == 4 and parts[2].isdigit():
        await view(turn, await turn.services.surveys.set_audience(
            turn.actor, survey.id, "event", int(parts[2])))
    elif kind == "to" and len(parts) == 4 and parts[2] in CHAT_AUDIENCES:
        await view(turn, await turn.services.surveys.set_audience(turn.actor, survey.id,
                                                                  parts[2]))
    elif kind == "close":
        await view(turn, await turn.services.surveys.close(turn.actor, survey.id))
    elif kind == "res":
        await show_results(turn, survey)
    elif kind == "file":
        await send_files(turn, survey)
    else:
        await turn.answer(turn.tr("This step is over."))


async def _events(turn: Turn, survey: Survey) -> None:
    """Signed up for an event: the upcoming events to choose from, as a notice offers them."""
    views = await turn.services.events.upcoming(turn.actor)
    if not views:
        await turn.answer(turn.tr("No upcoming events."), alert=True)
        return
    rows = keyboards.event_choice(views, lambda event_id: f"svya:ev:{event_id}:{survey.id}")
    await turn.edit(turn.tr("Which event?"),
                    (*rows, (Button(turn.tr("Cancel"), f"svya:who:{survey.id}"),)))


def _invitation(turn: Turn, survey: Survey) -> str:
    community = turn.actor.community
    assert community is not None
    return invitation(turn.tr, survey, community)


async def view(turn: Turn, survey: Survey, note: str | None = None) -> None:
    tr = turn.tr
    lines = [f"<b>S{survey.id} {escape(survey.title)}</b>",
             tr("Status: {status}", status=status_name(tr, survey.status)),
             tr("{count} questions", count=len(survey.questions)) + " · "
             + (tr("anonymous") if survey.anonymous else tr("with names")),
             tr("To: {audience}", audience=await _audience(turn, survey))]
    if survey.opens_at is not None:
        lines.append(tr("Opens {day}", day=tr.date(survey.opens_at)))
    if survey.closes_at is not None:
        lines.append(tr("Closes at the end of {day}",
                        day=tr.date(survey.closes_at - _ONE_SECOND)))
    unsent = survey.status in ("draft", "scheduled")
    if unsent and _too_late(turn, survey) and note is None:
        lines.append(tr("The closing day has passed (or is less than an hour away): choose a "
                        "new one below before sending."))
    elif unsent and survey.closes_at is None:
        lines.append(tr("No closing day yet: it stays open until you close it, and no one is "
                        "reminded. Choose one below before sending."))
    if note:
        lines.append(note)
    rows: list[list[Button]] = []
    if survey.status in ("draft", "scheduled"):
        rows.append([Button(tr("📣 Send now"), f"svya:send:{survey.id}")])
        rows.append([Button(tr("🗓 Opening day"), f"svya:op:{survey.id}")])
        # With an opening day the closing counts from it, so it always comes after.
        rows.append([Button(tr("📅 {days} days after it opens", days=days) if survey.opens_at
                            else tr("📅 Closes in {days} days", days=days),
                            f"svya:cl:{days}:{survey.id}") for days in CLOSE_IN_DAYS])
        rows.append([Button(tr("👥 Who gets it"), f"svya:who:{survey.id}")])
    else:
        rows.append([Button(tr("📊 Results"), f"svya:res:{survey.id}"),
                     Button(tr("📁 CSV and XLSX"), f"svya:file:{survey.id}")])
    if survey.status == "open":
        rows.append([Button(tr("Close the survey"), f"svya:close:{survey.id}")])
    await turn.edit("\n".join(lines), keyboard(rows))


async def _audience(turn: Turn, survey: Survey) -> str:
    """Who it goes to; an event's sign-ups with the event's title."""
    if survey.audience == "event" and survey.audience_event_id is not None:
        try:
            found = await turn.services.events.event(turn.actor, survey.audience_event_id)
        except DomainError:  # cancelled, or not one this coordinator sees
            found = None
        if found is not None:
            return turn.tr("Signed up for {event}", event=escape(found.event.title))
    return audience_name(turn.tr, survey.audience, survey.audience_days)


def audience_name(tr: Translator, audience: str, days: int | None = AUDIENCE_DAYS) -> str:
    return {"all": tr("Whole community"), "coordinators": tr("Coordinators"),
            "active": tr("Members who traded in the last {days} days", days=days),
            "inactive": tr("Members with no trade in the last {days} days", days=days),
            "event": tr("Signed up for an event")}.get(audience, audience)


def _too_late(turn: Turn, survey: Survey) -> bool:
    return closes_too_soon(survey.closes_at, turn.services.clock.now())


async def _closing_passed(turn: Turn, survey: Survey) -> None:
    """Sent now it would reach members already closed: the survey again, with the closing
    days to choose from."""
    await view(turn, survey, note=error_text(turn.tr, DomainError("survey_closes_soon")))


async def _send(turn: Turn, survey: Survey) -> None:
    try:
        count = await turn.services.surveys.send(
            turn.actor, survey.id, lambda s, c: invitation_parts(turn.tr, s, c))
    except DomainError as error:
        if error.code != "survey_closes_soon":
            raise
        await _closing_passed(turn, survey)
        return
    await turn.edit(turn.tr("📣 Survey S{id} is on its way to {count} members. /surveys shows "
                            "its results as they come in.", id=survey.id, count=count))
    turn.wake("outbox")


async def show_results(turn: Turn, survey: Survey) -> None:
    tr = turn.tr
    results = await turn.services.survey_results.results(survey)
    await turn.reply(results_text(tr, results), _result_rows(tr, survey))
    if any(q.counts for q in results.questions):
        chart = await draw_chart(tr, results)
        await turn.photo(tr("Answers per question"), content=chart,
                         filename=f"survey-{survey.id}.png")


def _result_rows(tr, survey: Survey) -> Rows:
    return keyboard([[Button(tr("📁 CSV and XLSX"), f"svya:file:{survey.id}")]])


async def send_files(turn: Turn, survey: Survey) -> None:
    results = await turn.services.survey_results.results(survey)
    for name, content in await results_files(results, turn.tr.locale):
        await turn.file(content, name)


async def _years(turn: Turn) -> None:
    community = turn.actor.community
    assert community is not None
    year = turn.services.clock.now().year
    trends = await turn.services.survey_results.years(community.id, year)
    await turn.edit(trends_text(turn.tr, community, trends))
