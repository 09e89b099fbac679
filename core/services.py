"""All domain services over one database and one clock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.actor_cache import DEFAULT_CAPACITY, ActorCache
from core.clock import Clock, SystemClock
from core.delivery import DeliveryService
from core.dialogs import DialogService
from core.directory import DirectoryService
from core.events import EventService
from core.experts import ExpertService
from core.ledger import LedgerService
from core.linking import LinkService
from core.market import MarketService
from core.membership import MembershipService
from core.merchant_pay import MerchantPayService
from core.notices import NoticeService
from core.organisations import OrganisationService
from core.people import PeopleService
from core.privacy import PrivacyService
from core.relay import RelayService
from core.reminders import ReminderService
from core.stats import StatsService
from core.stories import StoryService
from core.survey_answering import SurveyAnswers
from core.survey_results import SurveyResultsService
from core.surveys import SurveyService
from core.takings import TakingsService
from core.verify import VerifyReport, verify_ledger
from storage import actor_changes
from storage.db import Database
from storage.port import Engine


@dataclass
class Services:
    db: Engine
    clock: Clock
    people: PeopleService
    membership: MembershipService
    ledger: LedgerService
    market: MarketService
    dialogs: DialogService
    delivery: DeliveryService
    events: EventService
    reminders: ReminderService
    notices: NoticeService
    stats: StatsService
    directory: DirectoryService
    relay: RelayService
    privacy: PrivacyService
    linking: LinkService
    surveys: SurveyService
    survey_answers: SurveyAnswers
    survey_results: SurveyResultsService
    organisations: OrganisationService
    merchant_pay: MerchantPayService
    takings: TakingsService
    experts: ExpertService
    stories: StoryService

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        clock: Clock | None = None,
        admins: frozenset[tuple[str, str]] = frozenset(),
        actor_cache: int = DEFAULT_CAPACITY,
    ) -> Services:
        """`actor_cache` is how many actors to remember between updates (0: none)."""
        db = await Database.open_url(path)
        clock = clock or SystemClock()
        cache = None
        if actor_cache > 0:
            cache = ActorCache(actor_cache, changed_elsewhere=db.changed_elsewhere,
                               recheck_seconds=db.actor_recheck_seconds)
            await actor_changes.watch(db, cache.forget, cache.forget_community)
            await db.changed_elsewhere()  # the measure later looks are compared with
        notices = NoticeService(db, clock)
        return cls(
            db=db,
            clock=clock,
            people=PeopleService(db, clock, admins, cache),
            membership=MembershipService(db, clock),
            ledger=LedgerService(db, clock),
            market=MarketService(db, clock),
            dialogs=DialogService(db, clock),
            delivery=DeliveryService(db, clock),
            events=EventService(db, clock),
            reminders=ReminderService(db, clock),
            notices=notices,
            stats=StatsService(db, clock),
            directory=DirectoryService(db, clock),
            relay=RelayService(db, clock),
            privacy=PrivacyService(db, clock),
            linking=LinkService(db, clock),
            surveys=SurveyService(db, clock),
            survey_answers=SurveyAnswers(db, clock),
            survey_results=SurveyResultsService(db),
            organisations=OrganisationService(db, clock),
            merchant_pay=MerchantPayService(db, clock),
            takings=TakingsService(db, clock),
            experts=ExpertService(db, clock),
            stories=StoryService(db, clock, notices),
        )

    async def verify(self) -> VerifyReport:
        return await verify_ledger(self.db)

    async def close(self) -> None:
        await self.db.close()
