"""The use cases one running app offers, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.services.bus import EventBus
from app.services.casework import Casework
from app.services.contributors import Contributors
from app.services.detectors import DetectorTraining
from app.services.digest import Digests
from app.services.gate import Gate
from app.services.identity import Identity
from app.services.insights import InsightsService
from app.services.knowledge import Knowledge
from app.services.mail import MailService
from app.services.moderation import ModerationService
from app.services.outbox import Dispatcher
from app.services.owners import Owners
from app.services.privacy import Privacy
from app.services.qa import QA
from app.services.ratelimit import RateLimits
from app.services.readiness import Readiness
from app.services.rewards import RewardsService
from app.services.semantic import Semantic
from app.services.staff_auth import StaffAccounts
from app.services.sweeper import Job
from app.store.port import Store


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: Store
    bus: EventBus
    limits: RateLimits
    gate: Gate
    dispatcher: Dispatcher
    identity: Identity
    qa: QA
    moderation: ModerationService
    staff: StaffAccounts
    casework: Casework
    rewards: RewardsService
    contributors: Contributors
    readiness: Readiness
    insights: InsightsService
    digests: Digests
    mail: MailService
    owners: Owners
    privacy: Privacy
    knowledge: Knowledge
    semantic: Semantic | None  # None: look-alikes are lexical
    detectors: DetectorTraining

    def jobs(self) -> list[Job]:
        """What the sweeper runs on every tick."""
        return [
            self.moderation.sweep,
            self.digests.tick,
            self.owners.tick,
            self.privacy.tick,
            self.detectors.tick,
        ]
