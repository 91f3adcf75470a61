"""What every worker and command needs, built once from the settings.

The clock is injected so that tests move time instead of asking "am I under test?".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import jinja2
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, secret_values
from bot.logs import hide_secrets
from handlers import classify, drafting
from handlers.values import Company, Policy
from storage.engine import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import utcnow


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    templates: jinja2.Environment
    company: Company
    policy: Policy
    clock: Callable[[], datetime] = field(default=utcnow)
    #: The operator's extra classifier phrases, compiled once.
    phrases: classify.Phrases = ()

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset({self.company.email.lower()})

    @property
    def own_domains(self) -> frozenset[str]:
        return frozenset({self.mail_domain})

    @property
    def mail_domain(self) -> str:
        return self.company.email.rpartition("@")[2].lower()


def build_runtime(
    settings: Settings, *, migrate: bool = True, clock: Callable[[], datetime] = utcnow
) -> Runtime:
    hide_secrets(secret_values(settings))
    engine = make_engine(
        settings.database.url, busy_timeout=settings.database.busy_timeout_seconds
    )
    if migrate:
        upgrade(engine)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        templates=drafting.make_environment(settings.company.templates_folder),
        company=settings.company_value(),
        policy=settings.policy_value(),
        clock=clock,
        phrases=classify.compile_phrases(settings.classifier.extra_phrases),
    )
