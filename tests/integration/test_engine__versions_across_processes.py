"""A definition published by one process (a gunicorn worker, the scheduler, the CLI) is used by
every other at its next start or fire, without a restart: each keeps the newest versions in
memory, checked against the catalog's revision that a start's or fire's own statements return.

Two Services bootstrapped on one database stand for two processes: nothing is shared between
them but the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import YEAR, Org
from tests.integration.test_engine__versions import V2, V3, _publish
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import load_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def other(db_url: str, clock: FakeClock, tmp_path: Path, org: Org) -> Iterator[Services]:
    """A second process on the same database, which has started an item (so it has read, and
    keeps, the newest version of `approval`) before anything is published."""
    settings = load_settings(environ={}, overrides={
        "database": {"url": db_url}, "app": {"documents_dir": str(tmp_path / "documents2")}})
    svc = bootstrap(settings, clock=clock)
    try:
        first = _start(svc, org)
        assert _version(svc, first.definition_id) == 1
        assert svc.catalog.latest("approval").version == 1
        yield svc
    finally:
        svc.close()


def _start(svc: Services, org: Org):
    return svc.workflows.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                               cluster_id=org.cluster, year=YEAR)


def _version(svc: Services, definition_id: int) -> int:
    return svc.catalog.compiled(definition_id).version


def test_a_start_in_another_process_uses_the_version_published_since(
    org: Org, other: Services
) -> None:
    assert _publish(org, V2) == 2  # by the first process

    started = _start(other, org)

    assert _version(other, started.definition_id) == 2
    assert "reviewing" in other.catalog.compiled(started.definition_id).spec.state_names
    assert _version(org.services, _start(org.services, org).definition_id) == 2
    # and again for the next publish: the revision is read at every start
    assert _publish(org, V3) == 3
    assert _version(other, _start(other, org).definition_id) == 3


def test_a_fire_by_id_in_another_process_sees_the_publish(org: Org, other: Services) -> None:
    item = _start(org.services, org)
    _publish(org, V2)

    other.workflows.fire(item.id, "submit", org.actor("officer_c"), {"title": "Hồ sơ"})

    # the fire read the revision in its SELECT: what the process kept is read again
    assert other.catalog.revision == _stored(other)
    assert other.catalog.latest("approval").version == 2


def test_a_fire_of_a_loaded_item_in_another_process_sees_the_publish(
    org: Org, other: Services
) -> None:
    item = other.workflows.get(_start(org.services, org).id)
    _publish(org, V2)

    other.workflows.fire(item, "submit", org.actor("officer_c"), {"title": "Hồ sơ"})

    assert other.catalog.latest("approval").version == 2


def test_while_nothing_is_published_what_a_process_read_stays_kept(
    org: Org, other: Services
) -> None:
    """The check costs no reading: the revision comes back with a start's INSERT, and while it
    does not change, the newest version the process read is not read again."""
    kept = other.catalog.latest("approval")
    revision = other.catalog.revision

    for _ in range(3):
        _start(other, org)

    assert other.catalog.revision == revision
    assert other.catalog.latest("approval") is kept


def _stored(svc: Services) -> int:
    return sum(len(svc.catalog.versions(n)) for n in svc.catalog.names())
