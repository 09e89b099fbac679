"""One event being handled: who is acting, in which language, and what to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import IO

from conversation.event import Event
from conversation.i18n import Translator, translator
from conversation.notify import Notifier
from conversation.replies import (
    DropButtons,
    Edit,
    File,
    GroupMessage,
    Menu,
    Notification,
    Outcome,
    Photo,
    Rows,
    Say,
    Toast,
)
from core.dialogs import Dialog
from core.models import Actor, Member
from core.services import Services


@dataclass
class Turn:
    """One event being handled. Flows answer through it; nothing here knows a messenger."""

    event: Event
    actor: Actor
    tr: Translator
    services: Services
    notifier: Notifier | None = None
    outcome: Outcome = field(default_factory=Outcome)
    answered: bool = False
    typed_action: str | None = None  # a button whose label was typed, handled as its tap

    # ----- what was sent ------------------------------------------------------------------

    @property
    def args(self) -> list[str]:
        return list(self.event.args)

    @property
    def message_text(self) -> str:
        return self.event.text

    @property
    def data(self) -> str:
        """The tapped button's action id ('' for a message), or the one whose label was typed."""
        return self.event.action or self.typed_action or ""

    @property
    def update_key(self) -> str:
        return self.event.update_key

    @property
    def request_key(self) -> str:
        return self.event.request_key

    def pressing(self, action: str) -> Turn:
        """This message handled as a tap on the button with `action` (its label was typed),
        by the same flow as the tap. It answers as to a message: edits and toasts become new
        messages. The replies go to this turn's outcome."""
        return replace(self, typed_action=action)

    async def refresh(self) -> None:
        self.actor = await self.services.people.reload(
            self.actor.person.id, is_admin=self.actor.is_admin
        )
        self.tr = translator(self.actor.locale)

    async def dialog_for_button(self, name: str, *, stopped: str, over: str) -> Dialog | None:
        """The dialog a tapped button belongs to. A `…:cancel` button ends it (`stopped` is
        shown); a button of a dialog that has ended answers `over` and loses its buttons."""
        person_id = self.actor.person.id
        if self.data.endswith(":cancel"):
            await self.services.dialogs.clear(person_id)
            await self.edit(stopped)
            return None
        dialog = await self.services.dialogs.get(person_id)
        if dialog is None or dialog.name != name:
            await self.answer(over, alert=True)
            await self.drop_buttons()
            return None
        return dialog

    # ----- answering ----------------------------------------------------------------------

    async def reply(self, text: str, buttons: Rows | Menu | None = None) -> None:
        if isinstance(buttons, Menu):
            self.outcome.replies.append(Say(text, menu=buttons))
        else:
            self.outcome.replies.append(Say(text, buttons or ()))

    async def edit(self, text: str, buttons: Rows | None = None) -> None:
        if self.event.action is None:
            await self.reply(text, buttons)
            return
        self.outcome.replies.append(Edit(text, buttons or ()))

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        if self.event.action is None:
            if self.typed_action is not None and text and not self.answered:
                self.answered = True  # a typed button has no toast: the answer is said
                self.outcome.replies.append(Say(text))
            return
        if self.answered:
            return
        self.answered = True
        self.outcome.replies.append(Toast(text[:200] if text else None, alert))

    async def drop_buttons(self) -> None:
        if self.event.action is not None:
            self.outcome.replies.append(DropButtons())

    async def photo(self, caption: str, *, ref: str | None = None, content: bytes | None = None,
                    filename: str = "image.png", buttons: Rows | None = None) -> None:
        self.outcome.replies.append(Photo(caption, ref, content, filename, buttons or ()))

    async def file(self, content: bytes, filename: str, caption: str = "", *,
                   source: IO[bytes] | None = None) -> None:
        """A document: `content`, or an open file `source` sent from disk (see File)."""
        self.outcome.replies.append(File(content, filename, caption, source))

    async def notify(
        self,
        member: Member | None,
        render: Callable[[Translator], str],
        buttons_for: Callable[[Translator], Rows] | None = None,
    ) -> None:
        """Tell another member something, in their own language, on their channel."""
        if member is not None:
            self.outcome.notifications.append(Notification(member, render, buttons_for))

    async def notify_now(self, member: Member, render: Callable[[Translator], str]) -> bool:
        """Tell another member at once; False if they could not be reached, for a flow whose
        answer says whether they were told."""
        if self.notifier is None:
            return False
        return await self.notifier.deliver(Notification(member, render))

    async def to_group(self, channel: str, chat: str, text: str) -> None:
        self.outcome.groups.append(GroupMessage(channel, chat, text))

    def wake(self, job: str) -> None:
        """Ask the process to run a background job soon ('outbox', 'reminders')."""
        self.outcome.wake.add(job)


Flow = Callable[[Turn], Awaitable[None]]


def parse_id(data: str) -> int | None:
    """The number at the end of an action like `pay:ok:12`; None when forged."""
    tail = data.rsplit(":", 1)[-1]
    if not tail.isdigit() or len(tail) > 12:
        return None
    return int(tail)
