from handlers.telegram.throttle import Throttle
from tests.conftest import KIM, LEE
from tests.support import texts


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_flooding_user_is_told_once_and_others_still_answered(harness):
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                       credit_floor=-300_000, approval="auto")
    await harness.join(KIM, "mapo")
    await harness.join(LEE, "mapo")
    clock = FakeTime()
    throttle = Throttle(clock=clock)  # the production limits
    harness.application.bot_data["throttle"] = throttle

    replies = []
    for index in range(1000):
        replies += await harness.send(LEE, "/balance")
        if index % 100 == 0:
            kim_calls = await harness.send(KIM, "/balance")
            assert "잔액" in texts(kim_calls)  # the other user is still answered
    answered = [c for c in replies if "잔액" in c.text]
    told = [c for c in replies if "천천히" in c.text or "잠깐" in c.text or "빨리" in c.text]
    assert len(answered) == throttle.limit
    assert len(told) == 1
    assert len(replies) == throttle.limit + 1

    clock.now += throttle.window + 0.1  # the pause is over
    assert "잔액" in texts(await harness.send(LEE, "/balance"))


def test_sliding_window_counts():
    clock = FakeTime()
    throttle = Throttle(limit=3, window=10, clock=clock)
    assert [throttle.admit(1) for _ in range(3)] == ["ok"] * 3
    clock.now += 9.9
    assert throttle.admit(1) == "tell"
    assert throttle.admit(1) == "drop"
    assert throttle.admit(2) == "ok"
    clock.now += 10
    assert throttle.admit(1) == "ok"
