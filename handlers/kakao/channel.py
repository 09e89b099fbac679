"""Reaching a Kakao user outside their own turn.

A skill can only answer the call in front of it. So a message for a Kakao user — a payee told
of a payment, a charge to accept, a notice, a result that took too long — is kept as news and
shown at the top of their next reply ("새 소식 2건"). When the Kakao Event API is configured,
`event_api` pushes it instead (the news is the fallback when a push fails)."""

from __future__ import annotations

import logging
from typing import Protocol

from conversation import background
from conversation.i18n import translator
from conversation.notify import Notifier, delivery_buttons
from conversation.replies import Rows
from core.services import Services
from handlers.kakao.text import plain
from storage.kakao import Choices, KakaoStore

log = logging.getLogger(__name__)

CHANNEL = "kakao"
DRAIN_BATCH = 50


class EventApi(Protocol):
    """Kakao's Event API: tell a user something now (the `link` work plugs in here)."""

    async def push(self, user_key: str, text: str, buttons: Choices) -> bool:
        """False when the push did not go out (the message is then kept as news)."""
        ...


def flat(buttons: Rows) -> tuple[Choices, tuple[tuple[str, str], ...]]:
    """Action buttons as (label, action), and link buttons as (label, url)."""
    actions, links = [], []
    for row in buttons:
        for button in row:
            if button.url:
                links.append((button.label, button.url))
            else:
                actions.append((button.label, button.action))
    return tuple(actions), tuple(links)


class KakaoChannel:
    """The notifier's way onto KakaoTalk. `send` is the only way in."""

    name = CHANNEL

    def __init__(self, store: KakaoStore, event_api: EventApi | None = None) -> None:
        self.store = store
        self.event_api = event_api

    async def send(self, address: str, text: str, buttons: Rows) -> bool:
        """`text` is the conversation's markup; Kakao gets it as plain text."""
        actions, links = flat(buttons)
        message = plain(text)
        if links:
            message += "\n" + "\n".join(f"{label}: {url}" for label, url in links)
        if self.event_api is not None:
            try:
                if await self.event_api.push(address, message, actions):
                    return True
            except Exception:  # a failed push must not lose the message
                log.exception("Kakao Event API push failed for %s; kept as news", address)
        await self.store.add_news(address, message, actions)
        return True


async def drain_kakao_outbox(services: Services, channel: KakaoChannel,
                             notifier: Notifier | None = None) -> int:
    """Hand the notice outbox's Kakao rows to the channel (as news, or pushed), exactly as
    previewed; returns how many rows were handled. The process runs it after a skill call that
    queued notices and from a periodic job. A row is claimed before it is handed over, so a
    crash in between leaves it 'uncertain', never sent twice."""
    handled = 0
    while batch := await services.notices.claim(DRAIN_BATCH, channel=CHANNEL):
        outcomes = []
        for delivery in batch:
            text = delivery.text
            if delivery.photo_file_id or delivery.document_file_id:
                person = await channel.store.person(delivery.address)
                tr = translator(person.locale if person else None)
                text += "\n\n" + tr("(This notice came with a picture or a file, which only "
                                    "Telegram can show.)")
            reached = await channel.send(delivery.address, text, delivery_buttons(delivery))
            outcomes.append((delivery, "sent" if reached else "unreachable", None))
        reports = await services.notices.finish_many(outcomes)
        if notifier is not None:
            for report in reports:
                await background.tell_author(services, notifier, report)
        handled += len(batch)
    return handled
