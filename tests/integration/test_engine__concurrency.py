"""Optimistic concurrency: a stale fire changes nothing; of concurrent fires exactly one wins."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import YEAR, Org
from workflow.errors import StaleState, TransitionNotAllowed
from workflow.services.audit import verify


def _submitted(org: Org):
    wf = org.services.workflows
    item = wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                    cluster_id=org.cluster, year=YEAR)
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "T"})
    return item


def test_fire_on_a_stale_copy_raises_and_changes_nothing(org: Org) -> None:
    wf = org.services.workflows
    item = _submitted(org)
    stale = wf.get(item.id)
    wf.fire(item, "return", org.actor("head_a"), {"comment": "Thiếu"})

    with pytest.raises(StaleState) as err:
        wf.fire(stale, "return", org.actor("head_b"), {"comment": "Cũng thiếu"})

    assert "changed by someone else since version 2" in str(err.value)
    assert (stale.state, stale.version) == ("submitted", 2)  # the caller's copy is untouched
    rows = wf.history(item.id)
    assert len(rows) == 3
    assert rows[-1]["actor"] == "head_a"


@pytest.mark.parametrize("workers", [2, 8])
def test_concurrent_returns_of_one_item_have_exactly_one_winner(org: Org, workers: int) -> None:
    wf = org.services.workflows
    item = _submitted(org)
    copies = [wf.get(item.id) for _ in range(workers)]
    actors = [org.actor("head_a"), org.actor("head_b")]
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            wf.fire(copies[i], "return", actors[i % 2], {"comment": f"lần {i}"})
            result = "won"
        except StaleState:
            result = "stale"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["stale"] * (workers - 1) + ["won"]
    final = wf.get(item.id)
    assert (final.state, final.version, final.data["times_returned"]) == ("returned", 3, 1)
    assert len(wf.history(item.id)) == 3
    assert verify(org.services.uow(), org.services.chain).ok


def test_freshly_loaded_concurrent_fires_also_have_one_winner(org: Org) -> None:
    """Each thread loads the item itself; losers see stale or the item already moved on."""
    wf = org.services.workflows
    item = _submitted(org)
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            wf.fire(item.id, "return", org.actor("head_a"), {"comment": f"lần {i}"})
            result = "won"
        except (StaleState, TransitionNotAllowed):
            result = "lost"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert outcomes.count("won") == 1
    assert outcomes.count("lost") == 5
    assert len(wf.history(item.id)) == 3
