"""The conversation's one entry point: route an event to its flow, turn errors into words."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from conversation.error_text import error_text
from conversation.event import Event
from conversation.i18n import translator
from conversation.notify import Notifier
from conversation.replies import Outcome
from conversation.turn import Flow, Turn
from core.amounts import DEFAULT_UNIT
from core.delivery import Redelivered, handling
from core.errors import DomainError
from core.services import Services

log = logging.getLogger(__name__)

# Errors after which the buttons that led there are useless and are taken away.
FINAL_ERRORS = frozenset({
    "request_expired", "request_closed", "request_not_found", "post_not_found", "post_closed",
    "application_not_found", "preview_expired", "reversal_not_open", "already_reversed",
    "dialog_already_done", "survey_answered", "survey_closed", "shop_preview_expired",
    "shop_terms_changed", "shop_own", "shop_payment_closed", "shop_refund_member_gone",
    "cannot_reverse_refund",
})


@dataclass
class Routes:
    """Which flow answers what. One table for every channel."""

    commands: dict[str, Flow]
    actions: list[tuple[re.Pattern[str], Flow]]
    text: Flow
    photo: Flow
    document: Flow
    unknown_command: Flow
    stale_action: Flow
    edited: Flow
    group_commands: dict[str, Flow] = field(default_factory=dict)
    group_other: Flow | None = None

    def flow_for(self, event: Event) -> Flow | None:
        if event.edited:
            return self.edited
        if event.action is not None:
            for pattern, flow in self.actions:
                if pattern.match(event.action):
                    return flow
            return self.stale_action
        if not event.private:
            if event.command is None:
                return None
            return self.group_commands.get(event.command, self.group_other)
        if event.command is not None:
            return self.commands.get(event.command, self.unknown_command)
        if event.photo is not None:
            return self.photo
        if event.document is not None:
            return self.document
        return self.text


class Conversation:
    def __init__(self, services: Services, routes: Routes,
                 notifier: Notifier | None = None) -> None:
        self.services = services
        self.routes = routes
        self.notifier = notifier

    async def handle(self, event: Event) -> Outcome:
        flow = self.routes.flow_for(event)
        if flow is None:
            return Outcome()
        sender = event.sender
        actor = await self.services.people.resolve(
            sender.channel, sender.external_id, sender.name, sender.username, sender.language
        )
        turn = Turn(event, actor, translator(actor.locale), self.services, self.notifier)
        try:
            with handling(event.update_key):
                await flow(turn)
        except Redelivered:
            log.info("%s was already processed; skipped", event.update_key)
        except DomainError as error:
            if error.code == "membership_suspended":
                # Wherever the refusal came from, it says why and whom to ask.
                error = await self.services.membership.suspension_error(
                    turn.actor.person.id, error.params.get("community_id"))
            community = turn.actor.community
            text = error_text(turn.tr, error, community.unit if community else DEFAULT_UNIT)
            if event.action is not None:
                await turn.answer(text, alert=True)
                if error.code in FINAL_ERRORS:
                    await turn.drop_buttons()
            else:
                await turn.reply(text)
        finally:
            await turn.answer()
        return turn.outcome
