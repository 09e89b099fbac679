from datetime import timedelta

import pytest

from core.delivery import Redelivered, handling
from core.relay import PER_HOUR, PER_PAIR_PER_DAY, RELAY_TEXT_MAX
from tests.support import count_rows, seed_community


async def open_dialog(services, sender, recipient):
    start = await services.relay.begin(sender, membership_id=recipient.membership.id)
    assert start.status == "ok"
    return await services.dialogs.get(sender.person.id)


async def relay(services, sender, recipient, text="안녕하세요"):
    return await services.relay.send(sender, await open_dialog(services, sender, recipient), text)


async def test_the_update_key_is_recorded_with_the_relay(services):
    """Two deliveries of one message that both found the dialog open (as when they race)
    relay it once: the second meets the first's update key in its write transaction."""
    _, lee, park = await seed_community(services)
    dialog = await open_dialog(services, park, lee)
    with handling("telegram:77"):
        assert (await services.relay.send(park, dialog, "한 번")).status == "sent"
    await services.dialogs.put(park.person.id, dialog)
    with pytest.raises(Redelivered), handling("telegram:77"):
        await services.relay.send(park, dialog, "한 번")
    assert await count_rows(services, "relay_messages") == 1
    assert await services.dialogs.get(park.person.id) == dialog  # rolled back with it


async def test_limits_are_inclusive(services, clock):
    assert (PER_HOUR, PER_PAIR_PER_DAY) == (10, 20)
    kim, lee, park = await seed_community(services)
    for _ in range(10):
        assert (await relay(services, park, lee)).status == "sent"
    assert (await relay(services, park, kim)).status == "hour_limit"
    clock.advance(timedelta(hours=1))  # the window is the last hour: the first ten just left
    assert (await relay(services, park, kim)).status == "sent"
    for _ in range(9):
        assert (await relay(services, park, lee)).status == "sent"
    clock.advance(timedelta(hours=1))
    assert (await relay(services, park, lee)).status == "sent"  # the 20th today
    assert (await relay(services, park, lee)).status == "pair_limit"
    assert (await relay(services, park, kim)).status == "sent"
    assert (await relay(services, lee, park)).status == "sent"  # the other way is its own pair
    clock.advance(timedelta(days=1) - timedelta(hours=2))  # the first ten are a day old
    assert (await relay(services, park, lee)).status == "sent"
    assert await count_rows(services, "relay_messages") == 24


async def test_text_checked_before_anything_is_written(services):
    _, lee, park = await seed_community(services)
    dialog = await open_dialog(services, park, lee)
    assert (await services.relay.send(park, dialog, "가" * (RELAY_TEXT_MAX + 1))).status == (
        "too_long")
    assert (await services.relay.send(park, dialog, "   ")).status == "empty"
    assert await services.dialogs.get(park.person.id) == dialog  # still waiting for a text
    assert (await services.relay.send(park, dialog, "가" * RELAY_TEXT_MAX)).status == "sent"
