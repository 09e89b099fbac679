"""Reaching a member outside their own turn, on whichever channel they can be reached."""

from __future__ import annotations

from typing import Protocol

from conversation.i18n import translator
from conversation.replies import Button, Notification, Rows, keyboard
from core.notices import Delivery


class Channel(Protocol):
    """A messenger's way to send one message to one of its users."""

    name: str

    async def send(self, address: str, text: str, buttons: Rows) -> bool:
        """False when the user cannot be reached (blocked the bot, unknown address)."""
        ...


class Notifier:
    """Delivers notifications through the channels this process serves."""

    def __init__(self, *channels: Channel) -> None:
        self._channels = {channel.name: channel for channel in channels}

    def add(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    async def deliver(self, notification: Notification) -> bool:
        member = notification.member
        for name, address in member.addresses.items():
            channel = self._channels.get(name)
            if channel is None:
                continue
            tr = translator(member.locale)
            buttons = notification.buttons(tr) if notification.buttons else ()
            return await channel.send(address, notification.text(tr), buttons)
        return False


def delivery_buttons(delivery: Delivery) -> Rows:
    """The button a queued notice carries (a survey's invitation), for the channel to show."""
    if delivery.button is None or delivery.to_group:
        return ()
    label, action = delivery.button
    return keyboard([[Button(label, action)]])
