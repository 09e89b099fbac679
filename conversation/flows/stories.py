"""/story: a member or coordinator nominates a best-practice story (우수사례) from their
community, text and up to five photos; /stories: coordinators (and admins) see the
nominations and select one, which publishes it to the community as a notice, once."""

from __future__ import annotations

from html import escape

from conversation import keyboards
from conversation.i18n import Translator
from conversation.limits import fit_lines
from conversation.render import more_text
from conversation.replies import Rows, keyboard
from conversation.turn import Turn, parse_id
from core.dialogs import Dialog
from core.membership import require_active_member
from core.stories import PHOTOS_MAX, TEXT_MAX, Story, clean_story

DIALOG = "story"
PREVIEW = 60  # characters of a story shown in the list
button = keyboards.button


def story_message(tr: Translator, story: Story) -> str:
    """The story as members get it (its notice), everything the author wrote escaped."""
    header = tr("🌟 {community} best-practice story", community=escape(story.community_name))
    byline = tr("— nominated by {name}", name=escape(story.author_name))
    return f"<b>{header}</b>\n{escape(story.text)}\n{byline}"


async def story(turn: Turn) -> None:
    require_active_member(turn.actor)
    await turn.services.dialogs.put(turn.actor.person.id,
                                    Dialog(DIALOG, "content", {"text": "", "photos": []}))
    await turn.reply(turn.tr(
        "Tell us a good story from your community: what happened and who took part. Send "
        "it as text, with up to {photos} photos if you have them. (/cancel to stop)",
        photos=PHOTOS_MAX))


def _submit_rows(tr: Translator) -> Rows:
    return keyboard([[button(tr("✅ Submit"), "sty:send"), button(tr("Cancel"), "sty:cancel")]])


async def step_buttons(turn: Turn, dialog: Dialog) -> Rows:
    if dialog.data.get("text") or dialog.data.get("photos"):
        return _submit_rows(turn.tr)
    return ()


async def on_content(turn: Turn, dialog: Dialog) -> None:
    """Text and photos add to the story until it is submitted."""
    values = dict(dialog.data)
    words = turn.message_text.strip()
    text = "\n".join(part for part in (values.get("text", ""), words) if part)
    photos = list(values.get("photos", []))
    if turn.event.photo:
        photos.append(turn.event.photo)
    tr = turn.tr
    clean_story(text or "-", photos)  # too long, too many photos: said now, not at the end
    values.update(text=text, photos=photos)
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(DIALOG, "content", values))
    await turn.reply(tr("Got it ({characters}/{maximum} characters, {photos} photos). Send "
                        "more, or tap Submit.", characters=len(text), maximum=TEXT_MAX,
                        photos=len(photos)), _submit_rows(tr))


async def on_button(turn: Turn) -> None:
    tr = turn.tr
    data = turn.data
    if data in ("sty:send", "sty:cancel"):
        dialog = await turn.dialog_for_button(DIALOG, stopped=tr("Stopped. Nothing was sent."),
                                              over=tr("This step is over."))
        if dialog is None:
            return
        nominated = await turn.services.stories.nominate(
            turn.actor, dialog.data.get("text", ""), list(dialog.data.get("photos", [])),
            finishing=dialog)
        await turn.edit(tr("Thank you! Your story was nominated. The coordinators will read "
                           "it (story {number}).", number=nominated.id))
        return
    number = parse_id(data)
    if number is None:
        await turn.answer(tr("This button no longer works. Please start again."), alert=True)
        return
    if data.startswith("sty:sel:"):
        await _preview(turn, number)
    elif data.startswith("sty:pub:"):
        await _publish(turn, number)


async def stories(turn: Turn) -> None:
    """Nominated stories of the current community, each with a button to select it."""
    tr = turn.tr
    found, total = await turn.services.stories.nominated(turn.actor)
    if not found:
        await turn.reply(tr("No stories are waiting. Members nominate one with /story."))
        return
    lines = []
    rows = []
    for item in found:
        short = item.text if len(item.text) <= PREVIEW else item.text[:PREVIEW - 1] + "…"
        # An admin of no community sees every community's: each says where it is from.
        name = item.author_name if turn.actor.community is not None else (
            f"{item.author_name} · {item.community_name}")
        lines.append(tr("{number}. {name}: {text}", number=item.id, name=escape(name),
                        text=escape(short)))
        rows.append([button(tr("Read and select {number}", number=item.id),
                            f"sty:sel:{item.id}")])
    text, _ = fit_lines(tr("<b>Nominated stories</b> ({count})", count=total), lines,
                        lambda count: more_text(tr, count))
    if total > len(found):
        text += "\n" + more_text(tr, total - len(found))
    await turn.reply(text, keyboard(rows))


async def _preview(turn: Turn, number: int) -> None:
    tr = turn.tr
    item = await turn.services.stories.get(turn.actor, number)
    if item.status != "nominated":
        await turn.answer(tr("This story was selected and published already."), alert=True)
        return
    photos = tr("(with {count} photos; the first goes with the notice)", count=item.photos) \
        if item.photos else ""
    await turn.edit(tr("<b>Preview</b>") + "\n" + story_message(tr, item)
                    + (f"\n{photos}" if photos else "") + "\n\n"
                    + tr("Select it and publish it to every member as a notice?"),
                    keyboard([[button(tr("🌟 Select and publish"), f"sty:pub:{number}")]]))


async def _publish(turn: Turn, number: int) -> None:
    tr = turn.tr
    item = await turn.services.stories.get(turn.actor, number)
    selection = await turn.services.stories.select(turn.actor, number,
                                                   story_message(tr, item))
    if not selection.published:
        await turn.answer(tr("This story was selected and published already."), alert=True)
        await turn.drop_buttons()
        return
    await turn.edit(tr("🌟 Selected. Publishing it to {count} recipients now; it goes into "
                       "the year's report too.", count=selection.recipients))
    await turn.notify(selection.author, lambda t: t(
        "Your story was selected as a best-practice story and shared with {community}. "
        "Thank you!", community=escape(item.community_name)))
    turn.wake("outbox")
