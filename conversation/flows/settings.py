"""/settings: event reminders, notice muting, what others see of you in the directory,
messages through 연락하기, where notifications go, and linking another messenger."""

from __future__ import annotations

from conversation import keyboards
from conversation.flows import directory, link
from conversation.flows.notices import settings_rows
from conversation.i18n import Translator
from conversation.replies import Rows, keyboard
from conversation.turn import Turn
from core.directory import Profile

button = keyboards.button
_SWITCHES = ("set:rem:on", "set:rem:off", "set:ntc:on", "set:ntc:off")


async def settings(turn: Turn) -> None:
    text, buttons = await _view(turn)
    await turn.reply(text, buttons)


async def _view(turn: Turn) -> tuple[str, Rows]:
    membership = turn.actor.membership
    reminders = membership.event_reminders if membership else True
    muted = membership.notices_muted if membership else False
    profile = await turn.services.directory.profile(turn.actor)
    lines, rows = await link.settings_part(turn)  # where notifications go; linking
    return (_settings_text(turn.tr, reminders, muted, profile, lines),
            _settings_buttons(turn.tr, reminders, muted, profile, rows))


def _settings_text(tr: Translator, reminders: bool, muted: bool, profile: Profile | None,
                   more: list[str]) -> str:
    return "\n".join([
        tr("<b>Settings</b>"),
        tr("Event reminders: on") if reminders else tr("Event reminders: off"),
        tr("Notices: muted (urgent ones still come)") if muted else tr("Notices: on"),
        *directory.profile_lines(tr, profile),
        *more,
    ])


def _settings_buttons(tr: Translator, reminders: bool, muted: bool, profile: Profile | None,
                      more: list) -> Rows:
    row = (button(tr("Turn event reminders off"), "set:rem:off") if reminders
           else button(tr("Turn event reminders on"), "set:rem:on"))
    return keyboard([[row], *settings_rows(tr, muted), *directory.profile_rows(tr, profile),
                     *more])


async def on_settings(turn: Turn) -> None:
    data = turn.data
    if data == "set:intro":
        await directory.ask_intro(turn)
        return
    if data == link.CONNECT_ACTION:  # the code comes as a message; the settings stay
        await link.make_code(turn)
        return
    if data.startswith(link.CHANNEL_ACTION):
        if not await link.choose_channel(turn):
            return
    elif data in directory.PROFILE_SETTINGS:
        await directory.change_profile(turn)
    elif data not in _SWITCHES:
        return
    elif data.startswith("set:rem:"):
        await turn.services.events.set_reminders(turn.actor, data.endswith("on"))
        turn.wake("reminders")
    else:
        await turn.services.notices.set_muted(turn.actor, data.endswith("off"))
    await turn.refresh()
    text, buttons = await _view(turn)
    await turn.edit(text, buttons)
