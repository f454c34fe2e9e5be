"""The composition root: the one place where adapters are wired to the services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from workflow.adapters import migrate
from workflow.adapters.db import create_db_engine
from workflow.clock import Clock
from workflow.config import Settings, load_settings
from workflow.engine.hashing import HistoryChain
from workflow.engine.registry import Registry
from workflow.services import rules
from workflow.services.catalog import DefinitionCatalog
from workflow.services.criteria_catalog import CriteriaCatalog
from workflow.services.workflows import Workflows


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

    def upgrade_schema(self) -> None:
        migrate.upgrade(self.engine)

    def sync_definitions(self, author: str = "system") -> None:
        """Publish changed criteria tables and workflow definitions from the definitions folder."""
        folder = self.settings.definitions_dir
        criteria = folder / "criteria"
        if criteria.is_dir():
            self.criteria.sync([criteria], author=author, base=folder.parent)
        self.catalog.sync([folder], author=author, base=folder.parent)

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
        sqlite_synchronous=str(settings.get("database", "sqlite_synchronous", "NORMAL")),
        echo=bool(settings.get("database", "echo", False)),
        pool_pre_ping=bool(settings.get("database", "pool_pre_ping", False)),
    )
    clock = clock or Clock()
    registry = registry or rules.registry()
    chain = HistoryChain(str(settings.get("audit", "chain_key", "thidua-development-chain-key")))
    catalog = DefinitionCatalog(engine, registry, clock)
    criteria = CriteriaCatalog(engine, clock)
    workflows = Workflows(engine, catalog, clock, chain, criteria=criteria.get)
    return Services(settings, engine, clock, registry, chain, catalog, criteria, workflows)
