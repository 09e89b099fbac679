"""Hypothesis stateful test: the ledger against a plain-Python model of the rules."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from core.clock import ManualClock
from core.errors import DomainError
from core.organisations import Profile
from core.services import Services
from tests import postgres_support
from tests.support import START, seed_community

FLOOR, CEILING, MEMBERS = -1000, 1500, 4
SHARE, ROUNDING = 50, 10  # the shop, run by the last member, takes half a bill in currency
OWNER = MEMBERS - 1
amounts = st.integers(min_value=1, max_value=1800)
members = st.integers(min_value=0, max_value=MEMBERS - 1)
bills = st.integers(min_value=1, max_value=4000)


class LedgerModel(RuleBasedStateMachine):
    engine = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = tempfile.mkdtemp()
        self.clock = ManualClock(START)
        self.target: str | Path = Path(self.folder) / "m.db"
        if self.engine == "postgresql":
            admin, why = self.run(postgres_support.server_url())
            if admin is None:
                self.loop.close()
                postgres_support.skip_or_fail(why)
            self.target = self.run(postgres_support.fresh_database(admin))
        self.services = self.run(Services.open(self.target, clock=self.clock))
        self.actors = self.run(seed_community(self.services, members=MEMBERS, floor=FLOOR,
                                              ceiling=CEILING))
        self.balances = [0] * MEMBERS
        self.pending: dict[int, tuple[int, int, int]] = {}  # request → (payer, payee, amount)
        self.committed: list[tuple[int, int, int, int]] = []  # (transfer, payer, payee, amt)
        self.reversed: set[int] = set()
        self.refunded: set[int] = set()
        self.keys = 0
        shop, _ = self.run(self.services.organisations.apply(
            self.actors[OWNER], Profile(name="모델 가게", share_percent=SHARE,
                                        rounding=ROUNDING)))
        self.run(self.services.organisations.decide(self.actors[0], shop.id, True))
        self.shop_id, self.shop_balance = shop.id, 0
        self.share, self.rounding = SHARE, ROUNDING  # what the shop takes now
        self.refunds: list[int] = []  # the shop's refund transfers
        # payment → (payer, amount, transfer, paid at); refunded payments leave it
        self.shop_paid: dict[int, tuple[int, int, int, object]] = {}

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.services.close())
        if self.engine == "postgresql":
            self.run(postgres_support.release_database(str(self.target)))
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def key(self) -> str:
        self.keys += 1
        return f"k{self.keys}"

    def allowed(self, payer: int, payee: int, amount: int) -> bool:
        return (self.balances[payer] - amount >= FLOOR
                and self.balances[payee] + amount <= CEILING)

    def move(self, payer: int, payee: int, amount: int) -> None:
        self.balances[payer] -= amount
        self.balances[payee] += amount

    @rule(payer=members, payee=members, amount=amounts)
    def pay(self, payer, payee, amount):
        ledger = self.services.ledger
        try:
            preview = self.run(ledger.start_trade(
                self.actors[payer], kind="pay", counterparty=f"#{payee + 1}", amount=amount,
                memo=None, request_key=self.key()))
            view = self.run(ledger.confirm_pay(self.actors[payer], preview.request.id))
        except DomainError as error:
            assert payer == payee or not self.allowed(payer, payee, amount), error
            assert error.code in ("self_trade", "over_floor", "over_ceiling")
            return
        assert payer != payee and self.allowed(payer, payee, amount)
        self.move(payer, payee, amount)
        self.committed.append((view.transfer.id, payer, payee, amount))

    @rule(payee=members, payer=members, amount=amounts)
    def charge(self, payee, payer, amount):
        try:
            view = self.run(self.services.ledger.start_trade(
                self.actors[payee], kind="charge", counterparty=f"#{payer + 1}", amount=amount,
                memo=None, request_key=self.key()))
        except DomainError as error:
            own_ceiling = self.balances[payee] + amount > CEILING
            assert payer == payee or own_ceiling, error
            return
        assert payer != payee and self.balances[payee] + amount <= CEILING
        self.pending[view.request.id] = (payer, payee, amount)

    @rule(data=st.data())
    def accept(self, data):
        if not self.pending:
            return
        request_id = data.draw(st.sampled_from(sorted(self.pending)))
        payer, payee, amount = self.pending[request_id]
        try:
            view = self.run(self.services.ledger.accept_charge(self.actors[payer], request_id))
        except DomainError as error:
            assert not self.allowed(payer, payee, amount), error
            return
        assert self.allowed(payer, payee, amount)
        del self.pending[request_id]
        self.move(payer, payee, amount)
        self.committed.append((view.transfer.id, payer, payee, amount))

    @rule(data=st.data())
    def decline(self, data):
        if not self.pending:
            return
        request_id = data.draw(st.sampled_from(sorted(self.pending)))
        payer = self.pending.pop(request_id)[0]
        view = self.run(self.services.ledger.decline_charge(self.actors[payer], request_id))
        assert view.request.status == "declined"

    @rule()
    def let_a_week_pass(self):
        self.clock.advance(timedelta(days=7, seconds=1))
        expired = self.run(self.services.ledger.expire_due(limit=10_000))
        assert sorted(v.request.id for v in expired if v.request.kind == "charge") == sorted(
            self.pending)
        self.pending.clear()

    @rule(data=st.data())
    def reverse(self, data):
        candidates = [c for c in self.committed if c[0] not in self.reversed]
        if not candidates:
            return
        transfer_id, payer, payee, amount = data.draw(st.sampled_from(candidates))
        if transfer_id in self.refunded:  # the shop gave it back: a reversal would pay twice
            try:
                self.run(self.services.ledger.reverse(self.actors[0], transfer_id, "정정"))
            except DomainError as error:
                assert error.code == "fee_already_refunded"
                return
            raise AssertionError("a refunded shop payment was reversed")
        self.run(self.services.ledger.reverse(self.actors[0], transfer_id, "정정"))
        self.reversed.add(transfer_id)
        if payee == -1:  # a shop payment (payee -1 is the shop)
            self.balances[payer] += amount
            self.shop_balance -= amount
            return
        self.move(payee, payer, amount)  # always goes through, even across a limit

    @rule(payer=members, bill=bills, data=st.data())
    def pay_a_shop(self, payer, bill, data):
        """A bill at the shop: the most is its share rounded down; a member with less room is
        offered what they can still spend (rounded down); the member may choose less; the
        owner may change the shop's terms before the member's Confirm, which then refuses a
        part past the new terms; the floor holds for the payer, staff cannot pay it."""
        pay = self.services.merchant_pay
        most = bill * self.share // 100 // self.rounding * self.rounding
        can_spend = max(0, self.balances[payer] - FLOOR)
        part = min(most, can_spend // self.rounding * self.rounding)
        try:
            preview = self.run(pay.preview(self.actors[payer], self.shop_id, bill, self.key()))
        except DomainError as error:
            expected = ("shop_own" if payer == OWNER else "shop_bill_too_small" if most <= 0
                        else "over_floor" if can_spend == 0 else "shop_no_room")
            assert error.code == expected, error
            assert expected in ("shop_own", "shop_bill_too_small") or part <= 0
            return
        assert payer != OWNER and most > 0 and part > 0
        assert (preview.currency, preview.cash, preview.most) == (part, bill - part, most)
        assert preview.room_limited == (part < most)
        currency = data.draw(st.integers(min_value=1, max_value=most))
        if currency != part:
            preview = self.run(pay.change_currency(self.actors[payer], preview.id, currency))
        if data.draw(st.booleans()):  # the owner changes what the shop takes meanwhile
            self.share = data.draw(st.sampled_from([10, 30, SHARE, 100]))
            self.rounding = data.draw(st.sampled_from([ROUNDING, 100]))
            self.run(self.services.organisations.update(
                self.actors[OWNER], self.shop_id,
                {"share_percent": self.share, "rounding": self.rounding}))
        now_most = bill * self.share // 100 // self.rounding * self.rounding
        try:
            paid = self.run(pay.confirm(self.actors[payer], preview.id))
        except DomainError as error:
            if currency > now_most:
                assert error.code == "shop_terms_changed", error
            else:
                assert error.code == "over_floor", error
                assert self.balances[payer] - currency < FLOOR
            return
        assert currency <= now_most and self.balances[payer] - currency >= FLOOR
        assert paid.currency == currency  # the shop's account has no ceiling (see merchant_pay)
        assert not self.run(pay.confirm(self.actors[payer], preview.id)).newly_decided
        self.balances[payer] -= currency
        self.shop_balance += currency
        self.shop_paid[paid.id] = (payer, currency, paid.transfer_id, self.clock.now())
        self.committed.append((paid.transfer_id, payer, -1, currency))

    @rule(data=st.data())
    def refund_at_the_shop(self, data):
        if not self.shop_paid:
            return
        payment_id = data.draw(st.sampled_from(sorted(self.shop_paid)))
        payer, currency, transfer_id, paid_at = self.shop_paid[payment_id]
        try:
            refunded = self.run(self.services.merchant_pay.refund(self.actors[OWNER],
                                                                  payment_id))
        except DomainError as error:
            late = self.clock.now() - paid_at > timedelta(days=7)
            assert (error.code, late or transfer_id in self.reversed) in (
                ("shop_refund_too_late", True), ("already_reversed", True)), error
            return
        assert self.clock.now() - paid_at <= timedelta(days=7)
        assert transfer_id not in self.reversed and refunded.newly_decided
        del self.shop_paid[payment_id]
        self.refunded.add(transfer_id)
        self.refunds.append(refunded.refund_transfer_id)
        self.balances[payer] += currency  # undoes the payment: limits do not stop it
        self.shop_balance -= currency

    @rule(data=st.data())
    def reverse_a_refund(self, data):
        """A refund is a correction itself: a coordinator cannot reverse it; nothing moves."""
        if not self.refunds:
            return
        refund_id = data.draw(st.sampled_from(self.refunds))
        try:
            self.run(self.services.ledger.reverse(self.actors[0], refund_id, "정정"))
        except DomainError as error:
            assert error.code == "cannot_reverse_refund", error
            return
        raise AssertionError("a shop's refund was reversed")

    @invariant()
    def balances_match_the_model_and_verify_holds(self):
        actual = [self.run(self.services.ledger.balance(actor)).balance for actor in self.actors]
        assert actual == self.balances
        shop = self.run(self.services.organisations.staff_of(self.actors[OWNER], self.shop_id))
        assert shop.balance == self.shop_balance >= 0
        assert sum(actual) + shop.balance == 0
        report = self.run(self.services.verify())
        assert report.ok, report.problems


LedgerModel.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerModel = LedgerModel.TestCase


class PostgresLedgerModel(LedgerModel):
    engine = "postgresql"


PostgresLedgerModel.TestCase.settings = LedgerModel.TestCase.settings
TestLedgerModelPostgres = PostgresLedgerModel.TestCase
