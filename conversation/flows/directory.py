"""The member directory for members (/directory): each member's name and number, and only what
they chose to show (their open offers and a short introduction); and those choices in
/settings, together with whether they take messages through ✉️ 연락하기.

Coordinators' /members (balances, last activity) is conversation.flows.members."""

from __future__ import annotations

from html import escape

from conversation import keyboards
from conversation.i18n import Translator
from conversation.limits import NAME_IN_LIST, cut
from conversation.replies import Button, keyboard
from conversation.turn import Turn, parse_id
from core.dialogs import Dialog
from core.directory import INTRO_DIALOG, INTRO_MAX, DirectoryPage, Neighbour, Profile, clean_intro
from core.membership import require_member

button = keyboards.button

TITLE_IN_LIST = 30  # an offer's title in a list line


# ----- the directory ---------------------------------------------------------------------

async def directory(turn: Turn, page: int = 0, words: str | None = None) -> None:
    words = " ".join(turn.args) if words is None else words
    found = await turn.services.directory.page(turn.actor, words, page)
    tr = turn.tr
    text, markup = directory_text(tr, found), keyboards.directory_nav(tr, found)
    if turn.event.is_action:
        await turn.edit(text, markup)
    else:
        await turn.reply(text, markup)


async def on_directory(turn: Turn) -> None:
    """`dir:v:<membership>` opens an entry; `dir:<page>:<words>` turns the page."""
    data = turn.data
    if data.startswith("dir:v:"):
        membership_id = parse_id(data)
        if membership_id is not None:
            await _entry(turn, membership_id)
        return
    parts = data.split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 5:
        return
    await directory(turn, int(parts[1]), parts[2])


def directory_text(tr: Translator, page: DirectoryPage) -> str:
    community = escape(page.community.name)
    if page.words:
        head = tr("<b>{community} members</b> · “{words}” · page {page}", community=community,
                  words=escape(page.words), page=page.page + 1)
    else:
        head = tr("<b>{community} members</b> · page {page}", community=community,
                  page=page.page + 1)
    if not page.entries:
        return head + "\n" + tr("No members found.")
    lines = [head]
    for entry in page.entries:
        lines.append(_name_line(tr, entry))
        if entry.offers:
            titles = " · ".join(escape(cut(offer.title, TITLE_IN_LIST)) for offer in entry.offers)
            lines.append(f"   🎁 {titles}")
        if entry.intro:
            lines.append(f"   💬 {escape(entry.intro)}")
    lines += ["", tr("Tap a name to see more or to send a message. What others see of you is "
                     "your choice in /settings.")]
    return "\n".join(lines)


def _name_line(tr: Translator, entry: Neighbour) -> str:
    me = " " + tr("(me)") if entry.is_me else ""
    return f"#{entry.number} <b>{escape(cut(entry.name, NAME_IN_LIST))}</b>{me}"


async def _entry(turn: Turn, membership_id: int) -> None:
    tr = turn.tr
    entry = await turn.services.directory.entry(turn.actor, membership_id)
    if entry is None:
        await turn.answer(tr("This member isn't in the directory any more."), alert=True)
        return
    lines = [f"#{entry.number} <b>{escape(entry.name)}</b>"]
    if entry.intro:
        lines.append(f"💬 {escape(entry.intro)}")
    if entry.offers:
        lines.append(tr("🎁 What they offer:"))
        lines += [f"· {escape(offer.title)}" for offer in entry.offers]
    rows: list[list[Button]] = [[button(f"🎁 {cut(offer.title, TITLE_IN_LIST)}",
                                        f"post:v:{offer.post_id}")] for offer in entry.offers]
    if entry.is_me:
        lines.append(tr("This is you. Choose what others see in /settings."))
    elif entry.accepts_messages:
        rows.append([keyboards.contact_button(tr, f"rly:m:{entry.membership_id}")])
    await turn.reply("\n".join(lines), keyboard(rows))


# ----- the member's own choices, in /settings ---------------------------------------------

def profile_lines(tr: Translator, profile: Profile | None) -> list[str]:
    if profile is None:
        return []
    lines = [tr("Member directory: your offers and introduction are shown") if
             profile.show_profile else tr("Member directory: only your name and number")]
    if profile.intro:
        lines.append(tr("Introduction: {intro}", intro=escape(profile.intro)))
    lines.append(tr("Messages through ✉️ Contact: on") if profile.accepts_messages
                 else tr("Messages through ✉️ Contact: off"))
    return lines


def profile_rows(tr: Translator, profile: Profile | None) -> list[list[Button]]:
    if profile is None:
        return []
    show = (button(tr("Show only my name in the directory"), "set:dir:off")
            if profile.show_profile else
            button(tr("Show my offers and introduction in the directory"), "set:dir:on"))
    intro = button(tr("✏️ Change my introduction") if profile.intro
                   else tr("✏️ Write an introduction"), "set:intro")
    messages = (button(tr("Turn messages off"), "set:msg:off") if profile.accepts_messages
                else button(tr("Turn messages on"), "set:msg:on"))
    return [[show], [intro], [messages]]


PROFILE_SETTINGS = {"set:dir:on", "set:dir:off", "set:msg:on", "set:msg:off"}


async def change_profile(turn: Turn) -> None:
    """One of PROFILE_SETTINGS was tapped."""
    choice = "show_profile" if turn.data.startswith("set:dir:") else "accepts_messages"
    await turn.services.directory.set_choice(turn.actor, choice, turn.data.endswith(":on"))


async def ask_intro(turn: Turn) -> None:
    require_member(turn.actor)
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(INTRO_DIALOG, "text"))
    tr = turn.tr
    await turn.reply(tr("Write a short introduction for the member directory, up to {maximum} "
                        "characters (e.g. 반찬 만들기를 좋아해요, 컴퓨터를 가르쳐 "
                        "드려요). Send - to remove it. (/cancel to stop)", maximum=INTRO_MAX))


async def on_intro_text(turn: Turn, dialog: Dialog) -> None:
    tr = turn.tr
    if clean_intro(turn.message_text) is None:
        await turn.reply(tr("That's a bit long. Please keep it to {maximum} characters and send "
                            "it again.", maximum=INTRO_MAX))
        return
    profile = await turn.services.directory.set_intro(turn.actor, turn.message_text,
                                                      finishing=dialog)
    if not profile.intro:
        await turn.reply(tr("Your introduction is removed."))
    elif profile.show_profile:
        await turn.reply(tr("✅ Saved. Others see it in /directory."))
    else:
        await turn.reply(tr("✅ Saved. Others see it once you choose to show your offers and "
                            "introduction in /settings."))
