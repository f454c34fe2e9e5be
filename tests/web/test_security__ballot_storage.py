"""The probe of issue 19, replayed on both databases: eight known secret ballots are cast over
HTTP (pages and API), then whatever the database holder has — on SQLite the main file, its
write-ahead log and a backup taken while the vote is open; on PostgreSQL the `xmin` of the rows
and the tuples `heap_page_items` shows, dead ones included — is searched for anything that pairs
a voter with a choice, while the vote is open and again after the count.

What the probe found before the sealed box: the ballot's choices in plain JSON next to the
voter's participation (adjacent WAL frames, insertion order, the same xmin). Now:
- no byte anywhere holds a choice in plain (the box holds Paillier ciphertexts only);
- the key that would decrypt them is nowhere: neither the 16-byte opener of the sealed private
  key nor any committee share, in plain, in any file or tuple (so a pairing of a voter with a
  ciphertext, which the same transaction still gives while the vote is open, opens nothing);
- after the close, not even that: the box was rewritten in random order under new ids, the WAL
  truncated and deleted cells zeroed (SQLite), the old tuples vacuumed away (PostgreSQL): no
  ballot shares a transaction or a position with a voter's participation.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL
from tests.web.conftest import csrf
from tests.web.test_security__ballots import FLAG, YEAR, World, url_for_world
from tests.year_support import REASON
from workflow.adapters.ballot_store import purge
from workflow.adapters.tables import sealed_ballots
from workflow.domain import ballot_box as bb
from workflow.services import backup, people, voting
from workflow.services import ballot_box as bbox

# who chose what (eight members: bca 3, bqp 3, blank 2), and through which door
KNOWN = {"btp": "bca", "lang": "bqp", "ktnn": "bca", "bca": "bqp", "bqp": "bca",
         "tandtc": None, "vksndtc": "bqp", "ttcp": None}
DOORS = {"btp": "page", "lang": "api", "ktnn": "page", "bca": "api", "bqp": "page",
         "tandtc": "api", "vksndtc": "page", "ttcp": "api"}
COUNTERS = ("kp_mot", "kp_hai", "kp_ba")
THRESHOLD = 2


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL not configured (THIDUA_TEST_PG_URL); `make test` starts one")
    return str(request.param)


class Probe:
    """The vote, and what the database holder could read at each moment."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        self.world = World.build(url_for_world(kind, folder), folder)
        self.shares: dict[str, str] = {}
        self.receipts: dict[str, str] = {}
        self.open_ids: set[str] = set()

    # -- the vote ----------------------------------------------------------------------------

    def schedule_and_open(self) -> None:
        world, bloc = self.world, self.world.bloc
        uow = world.services.uow()
        for name in COUNTERS:
            bloc.users[name] = people.create_user(uow, name, f"Kiểm phiếu {name[3:]}")
        bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
        rules = bloc.wf.rulebook.in_force(dt.date(2025, 12, 18))
        committee = bbox.Committee(tuple(bloc.users[n] for n in COUNTERS), THRESHOLD)
        session = bloc.wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster, year=YEAR,
                                data={
            "kind": "cluster", "titles": [FLAG],
            "candidates": {FLAG: [bloc.units["bca"], bloc.units["bqp"]]},
            "rule_set": {"code": rules.code, "version": rules.version}, "ranks": {},
            "past_winners": {}, "leader_unit_id": bloc.units["btp"], "secret": True,
            "campaign_id": world.campaign_id, "committee": committee.as_data()})
        voting.deal_committee_key(bloc.wf, session)
        world.session_id = session.id
        for name in COUNTERS:
            self.shares[name] = bbox.collect_share(bloc.wf, session.id, bloc.actor(name))
        bloc.wf.fire(session, "check_quorum", bloc.leader,
                     {"present": [f"unit:{u}" for u in bloc.units.values()]})
        bloc.wf.fire(session.id, "open", bloc.leader)

    def cast(self, who: str) -> None:
        world = self.world
        world.bloc.clock.advance(minutes=3)
        choice = KNOWN[who]
        chosen = [] if choice is None else [world.bloc.units[choice]]
        if DOORS[who] == "api":
            answer = world.app.test_client().post(
                f"/api/v1/votes/{world.session_id}/ballots", headers=world.bearer(f"{who}_head"),
                json={"choices": {FLAG: chosen} if chosen else {}})
            assert answer.status_code == 201, answer.get_data(as_text=True)
            self.receipts[who] = answer.get_json()["receipt"]
            return
        client = world.sign_in(f"{who}_head")
        path = f"/votes/{world.session_id}"
        form = {"csrf_token": csrf(client, path)}
        form.update({f"choice-{FLAG}": str(chosen[0])} if chosen else {"abstain": "1"})
        answer = client.post(f"{path}/cast", data=form)
        assert answer.status_code == 200
        found = re.search(r"\b([0-9a-f]{64})\b", answer.get_data(as_text=True))
        assert found, "the receipt page shows the ballot's receipt"
        self.receipts[who] = found.group(1)

    def close_and_count(self) -> None:
        bloc = self.world.bloc
        bloc.wf.fire(self.world.session_id, "close", bloc.leader, {"comment": REASON})
        for name in COUNTERS[:THRESHOLD]:
            bbox.release_share(bloc.wf, self.world.session_id, bloc.actor(name),
                               self.shares[name])
        assert bloc.wf.get(self.world.session_id).state == "tallied"

    # -- what the holder reads ----------------------------------------------------------------

    def secrets(self) -> list[bytes]:
        """Everything that would open the box: the opener, each share (raw, hex, as given)."""
        opener = bb.combine(list(self.shares.values()), THRESHOLD)
        found = [opener, opener.hex().encode()]
        for text in self.shares.values():
            _index, raw = bb.parse_share(text)
            found += [raw, raw.hex().encode(), raw.hex().upper().encode(), text.encode()]
        return found

    def plain_choices(self) -> list[bytes]:
        """Every way the code could have written one ballot's choices in plain."""
        units = self.world.bloc.units
        found = [b'"choices"']
        for choice in ("bca", "bqp"):
            unit = units[choice]
            for text in (json.dumps({FLAG: [unit]}), json.dumps({FLAG: [unit]},
                                                                   separators=(",", ":")),
                         repr({FLAG: [unit]}), f"{FLAG}:{unit}", f"{FLAG}={unit}"):
                found.append(text.encode())
        return found

    def sqlite_files(self, backup_path: Path | None = None) -> dict[str, bytes]:
        db = self.folder / "thidua.db"
        files = {"main": db.read_bytes()}
        wal = db.with_name("thidua.db-wal")
        files["wal"] = wal.read_bytes() if wal.exists() else b""
        if backup_path is not None:
            files["backup"] = backup_path.read_bytes()
        return files

    def pg_tuples(self) -> dict[str, bytes]:
        """Every tuple of the vote's tables as heap_page_items shows it, dead ones included."""
        found: dict[str, bytes] = {}
        with self.world.services.engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
            for table in ("sealed_ballots", "vote_participation", "counting_keys", "key_shares",
                          "ballots", "workflow_instances", "workflow_history"):
                pages = conn.exec_driver_sql(
                    f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int"
                ).scalar_one()
                chunks = []
                for page in range(int(pages)):
                    rows = conn.exec_driver_sql(
                        f"SELECT t_data FROM heap_page_items(get_raw_page('{table}', {page}))"
                    ).scalars().all()
                    chunks += [bytes(r) for r in rows if r is not None]
                found[table] = b"\x00".join(chunks)
        return found

    def pg_pairs(self) -> list[tuple[str, str]]:
        """Voters and ballots written by one transaction (the same xmin)."""
        with self.world.services.engine.connect() as conn:
            return [(str(a), str(b)) for a, b in conn.exec_driver_sql(
                "SELECT p.voter_key, b.sealed FROM vote_participation p "
                "JOIN sealed_ballots b ON p.xmin::text = b.xmin::text").all()]

    def pg_dead_ballots(self) -> int:
        with self.world.services.engine.begin() as conn:
            pages = conn.exec_driver_sql(
                "SELECT pg_relation_size('sealed_ballots') / current_setting('block_size')::int"
            ).scalar_one()
            return sum(int(conn.exec_driver_sql(
                f"SELECT count(*) FROM heap_page_items(get_raw_page('sealed_ballots', {p})) "
                "WHERE t_xmax <> 0 OR lp_flags <> 1").scalar_one()) for p in range(int(pages)))


@pytest.fixture(scope="module")
def probe(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    folder = tmp_path_factory.mktemp(f"ballot-storage-{kind}")
    found = Probe(kind, folder)
    yield found
    found.world.close()


def assert_nothing_pairs(probe: Probe, blobs: dict[str, bytes]) -> None:
    for place, blob in blobs.items():
        for secret in probe.secrets():
            assert secret not in blob, f"a key to the box lies in the {place}"
        for plain in probe.plain_choices():
            assert plain not in blob, f"a plain choice {plain!r} lies in the {place}"


def test_the_probe_finds_no_voter_paired_with_a_choice_open_or_counted(probe: Probe) -> None:
    probe.schedule_and_open()
    for who in KNOWN:
        probe.cast(who)
    assert len(set(probe.receipts.values())) == 8
    services = probe.world.services
    with services.engine.connect() as conn:
        probe.open_ids = set(conn.execute(sa.select(sealed_ballots.c.id)).scalars())
        stored = [r.sealed for r in conn.execute(sa.select(sealed_ballots))]
    assert len(stored) == 8
    assert all(len(json.loads(s)) == 3 for s in stored)  # bca, bqp, blank: ciphertexts only

    # --- while the vote is open ---
    if probe.kind == "sqlite":
        copy = probe.folder / "open.backup"
        backup.backup(services, copy)
        files = probe.sqlite_files(copy)
        assert files["wal"], "the probe reads a live write-ahead log"
        assert_nothing_pairs(probe, files)
        # the attack of the issue: what sits next to a voter is a ciphertext, which the files
        # cannot open (no opener, no share above)
        # (a ballot spans overflow pages: its first bytes are found)
        assert all(s[:200].encode() in files["wal"] + files["main"] for s in stored)
    else:
        pairs = probe.pg_pairs()
        assert len(pairs) == 8  # the same transaction still writes both while open ...
        assert {len(json.loads(sealed)) for _voter, sealed in pairs} == {3}  # ... ciphertexts
        assert_nothing_pairs(probe, probe.pg_tuples())

    # --- after the count ---
    probe.close_and_count()
    [counted] = voting.result(probe.world.bloc.wf, probe.world.session_id)["tally"].values()
    units = probe.world.bloc.units
    yes = {c["candidate"]: c["yes"] for c in counted["titles"][FLAG]["candidates"]}
    assert yes == {units["bca"]: 3, units["bqp"]: 3}
    assert (counted["ballots"], counted["abstained"]) == (8, 2)
    if probe.kind == "sqlite":
        files = probe.sqlite_files()
        assert_nothing_pairs(probe, files)
        # the rows as cast, with their order, are gone from the main file and from the log
        # (folded in, truncated at the close; deleted cells zeroed)
        for old in probe.open_ids:
            assert old.encode() not in files["main"] + files["wal"]
    else:
        assert probe.pg_pairs() == []
        # VACUUM FULL keeps a dead tuple that a snapshot of the same database may still see
        # (an autoanalyze running then): the next purge of the box takes it (best effort)
        for _ in range(20):
            if probe.pg_dead_ballots() == 0:
                break
            time.sleep(0.5)
            purge(services.engine)
        assert probe.pg_dead_ballots() == 0
        assert_nothing_pairs(probe, probe.pg_tuples())
    with services.engine.connect() as conn:
        now_ids = set(conn.execute(sa.select(sealed_ballots.c.id)).scalars())
    assert not now_ids & probe.open_ids
    # every voter still finds their receipt in the published list
    session = probe.world.bloc.wf.get(probe.world.session_id)
    published = bbox.receipts(probe.world.bloc.wf, session)
    assert sorted(probe.receipts.values()) == published
