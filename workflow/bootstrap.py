"""The composition root: the one place where adapters are wired to the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from workflow.adapters import migrate
from workflow.adapters.db import create_db_engine, unavailable_errors
from workflow.adapters.read_side import SqlReadSide
from workflow.adapters.store import Store
from workflow.adapters.uow import SqlUnitOfWork
from workflow.clock import Clock
from workflow.config import Settings, load_settings
from workflow.definitions.calendar_loader import load_calendar_paths
from workflow.definitions.rulesets_loader import load_ruleset_paths
from workflow.domain.calendar import EMPTY
from workflow.domain.rulesets import RuleBook
from workflow.engine import builtins
from workflow.engine.hashing import HistoryChain
from workflow.engine.registry import Registry
from workflow.secrets import configured_secret
from workflow.services import rules
from workflow.services.catalog import DefinitionCatalog, SyncResult
from workflow.services.criteria_catalog import CriteriaCatalog
from workflow.services.ports import DatabaseFiles, UnitOfWork
from workflow.services.read_side import ReadSide
from workflow.services.scheduler import Sweeper, SweepReport, node_name, try_lead
from workflow.services.workflows import Workflows


def default_registry() -> Registry:
    """Every guard and effect a definition may name: the engine's built-ins and the year's."""
    registry = Registry()
    registry.include(builtins.REGISTRY)
    registry.include(rules.YEAR)
    return registry


@dataclass
class Services:
    """Everything a caller (CLI, web app, scheduler, test) needs, built once."""

    settings: Settings
    engine: Engine
    clock: Clock
    registry: Registry
    chain: HistoryChain
    catalog: DefinitionCatalog
    criteria: CriteriaCatalog
    workflows: Workflows
    reads: ReadSide  # the pages' queries

    def uow(self) -> UnitOfWork:
        """A unit of work on the configured database (one per use, never shared by threads)."""
        return SqlUnitOfWork(self.engine)

    def database_files(self) -> DatabaseFiles:
        """The database as files, for backups and restores."""
        from workflow.adapters.backup_files import SqlDatabaseFiles

        return SqlDatabaseFiles(self.engine)

    def upgrade_schema(self) -> None:
        migrate.upgrade(self.engine)

    def sync_definitions(self, author: str = "system") -> list[SyncResult]:
        """Publish changed criteria tables and workflow definitions from the definitions folder
        (criteria tables first: a definition may name one); what each sync did."""
        folder = self.settings.definitions_dir
        criteria = folder / "criteria"
        results = []
        if criteria.is_dir():
            results += self.criteria.sync([criteria], author=author, base=folder.parent)
        results += self.catalog.sync([folder], author=author, base=folder.parent)
        return results

    def sweeper(self) -> Sweeper:
        from workflow.services.templates import render

        return Sweeper(
            self.workflows, render, base_url=self.settings.app.base_url,
            batch_size=self.settings.scheduler.batch_size,
        )

    def tick(self, holder: str | None = None) -> SweepReport | None:
        """One round of the background job: if this process leads, sweep the due deadlines
        and deliver the outbox. None when another process leads."""
        holder = holder or node_name()
        interval = self.settings.scheduler.sweep_interval_seconds
        if not try_lead(self.uow(), self.clock, "sweep", holder,
                        dt.timedelta(seconds=3 * interval)):
            return None
        report = self.sweeper().sweep()
        self.deliver()
        return report

    def deliver(self) -> None:
        """Send what the outbox holds by e-mail (retries and digests included)."""
        from workflow.adapters.mailer import SmtpMailer
        from workflow.services import delivery

        mail = self.settings.mail
        mailer = SmtpMailer(host=mail.host, port=mail.port, sender=mail.sender,
                            use_tls=mail.use_tls, username=mail.username, password=mail.password)
        base_url = self.settings.app.base_url
        delivery.deliver_pending(self.uow(), self.clock, mailer, base_url=base_url)
        delivery.deliver_digests(self.uow(), self.clock, mailer, base_url=base_url)

    def start_background(self, job: Callable[[], None], interval_seconds: int) -> Any:
        """Run `job` now and then every interval in a background thread; the scheduler."""
        from workflow.adapters.background import start_background

        return start_background(job, interval_seconds)

    def close(self) -> None:
        self.workflows.store.close()
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    registry: Registry | None = None,
    engine: Engine | None = None,
) -> Services:
    """Build the services from settings; tests pass a fake clock or their own registry."""
    settings = settings or load_settings()
    engine = engine or create_db_engine(
        settings.database_url,
        sqlite_synchronous=settings.database.sqlite_synchronous,
        echo=settings.database.echo,
        pool_pre_ping=settings.database.pool_pre_ping,
    )
    clock = clock or Clock(settings.tz)
    registry = registry or default_registry()
    # the configured key, or the installation's generated one: never the example in config.toml
    chain = HistoryChain(configured_secret(settings, "audit", "chain_key"))
    bound = engine

    def uow() -> UnitOfWork:
        return SqlUnitOfWork(bound)

    catalog = DefinitionCatalog(uow, registry, clock)
    criteria = CriteriaCatalog(uow, clock)
    holidays = settings.definitions_dir / "holidays"
    calendar = load_calendar_paths([holidays]) if holidays.is_dir() else EMPTY
    rules_dir = settings.definitions_dir / "rules"
    rulebook = load_ruleset_paths([rules_dir]) if rules_dir.is_dir() else RuleBook(())
    store = Store(engine, criteria.get, rulebook, calendar, clock.tz,
                  ballot_key=chain.derive("ballot-box"))
    workflows = Workflows(store, catalog, clock, chain, calendar=calendar, rulebook=rulebook)
    return Services(settings, engine, clock, registry, chain, catalog, criteria, workflows,
                    reads=SqlReadSide(engine))


def database_errors() -> tuple[type[Exception], ...]:
    """The exceptions the database drivers raise while the database is down (or restarting)."""
    return unavailable_errors()
