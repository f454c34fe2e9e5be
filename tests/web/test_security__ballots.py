"""Secret ballots leak nowhere. Seven heads vote (some through the pages, some through the API),
the chair closes the vote, the minutes are drawn up and the session is locked; then every page,
API answer, history entry, generated document and log line is read.

The decisive check is a counterfactual: the same year is played twice, in two databases built
the same way, with the same voters using the same channels and the same ballots in the box,
only handed out differently (who chose what is permuted). Whatever anyone can read must be the
same in both worlds; anything that differs would tell who voted for whom.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PG_URL, ROOT, TEST_WORKFLOWS, fresh_pg_url
from tests.web.conftest import PASSWORD, csrf
from tests.year_support import MEMBERS, REASON, YEAR, Bloc, launch, make_bloc
from web import create_app
from workflow.adapters.tables import (
    ballots,
    history,
    outbox,
    sealed_ballots,
    vote_participation,
)
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import load_settings
from workflow.services import api_tokens, people, voting

FLAG = "co_thi_dua_chinh_phu"
ABSTAIN = "-"
# Who votes, and through which door; ktnn's head does not vote.
CHANNELS = {"btp": "page", "lang": "page", "bca": "api", "bqp": "api", "tandtc": "page",
            "vksndtc": "api", "ttcp": "page"}
# The same ballots in the box (bca 2, bqp 3, blank 2), handed out two ways.
WORLD_A = {"btp": "bca", "lang": "bqp", "bca": "bqp", "bqp": ABSTAIN, "tandtc": ABSTAIN,
           "vksndtc": "bca", "ttcp": "bqp"}
WORLD_B = {"btp": "bqp", "lang": ABSTAIN, "bca": ABSTAIN, "bqp": "bca", "tandtc": "bqp",
           "vksndtc": "bqp", "ttcp": "bca"}  # nobody chooses their own unit in either
OBSERVERS = ("btp_head", "ktnn_head", "bca_officer", "vu_tdkt", "hd_member", "quan_tri")
ADMIN_PAGES = ("/admin/definitions", "/admin/people", "/admin/units", "/admin/clusters",
               "/admin/rules", "/admin/deliveries", "/admin/definitions/vote_session/edit")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL not configured (THIDUA_TEST_PG_URL); `make test` starts one")
    return str(request.param)


class Capture(logging.Handler):
    """Every log record, at DEBUG, from every logger (SQLAlchemy's included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def capture() -> Iterator[Capture]:
    handler = Capture()
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy")
    levels = root.level, sql.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.DEBUG)  # SQLAlchemy's own default is WARNING
    yield handler
    root.removeHandler(handler)
    root.setLevel(levels[0])
    sql.setLevel(levels[1])


# --- one world ------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """What legitimately differs from world to world: CSRF tokens, random ids and hashes,
    timings of SQL statements."""
    text = re.sub(r'(name="csrf_token" value=")[^"]+', r"\1CSRF", text)
    text = re.sub(r"\b[0-9a-f]{32,64}\b", "HEX", text)
    text = re.sub(r" at 0x[0-9a-f]+>", " at ADDRESS>", text)
    text = re.sub(r"\[(generated in|cached since|no key|raw sql|dialect)[^\]]*\]", "[SQL]", text)
    text = re.sub(r"(scrypt:[^$]*\$)[^'\"\s,)]+", r"\1HASH", text)
    return text


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


@dataclass
class World:
    services: Services
    bloc: Bloc
    app: Flask
    session_id: int = 0
    campaign_id: int = 0
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)  # what anyone can read, by place
    logs: list[logging.LogRecord] = field(default_factory=list)

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, url: str, folder: Path) -> World:
        clock = FakeClock(dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC))
        settings = load_settings(environ={}, overrides={
            "database": {"url": url}, "app": {"documents_dir": str(folder / "documents")}})
        svc = bootstrap(settings, clock=clock)
        svc.upgrade_schema()
        svc.catalog.sync([ROOT / "definitions", TEST_WORKFLOWS], base=ROOT)
        svc.criteria.sync([svc.settings.definitions_dir / "criteria"],
                          base=svc.settings.definitions_dir.parent)
        bloc = make_bloc(svc, clock)
        uow = svc.uow()
        for name, role in (("hd_member", "council_member"), ("quan_tri", "admin")):
            bloc.users[name] = people.create_user(uow, name, name.replace("_", " ").title())
            people.grant(uow, bloc.users[name], role, year=None if role == "admin" else YEAR)
        world = cls(svc, bloc, create_app(services=svc, testing=True))
        world.campaign_id = launch(bloc).id
        return world

    def sign_in(self, username: str) -> FlaskClient:
        if username not in self.clients:
            client = self.app.test_client()
            people.set_password(self.services.uow(), self.bloc.users[username], PASSWORD)
            answer = client.post("/login", data={"username": username, "password": PASSWORD,
                                                 "csrf_token": csrf(client)})
            assert answer.status_code == 302
            self.clients[username] = client
        return self.clients[username]

    def bearer(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            token = api_tokens.create_token(self.services.uow(), self.bloc.clock,
                                            self.bloc.users[username], "ballots")
            self.tokens[username] = {"Authorization": f"Bearer {token}"}
        return self.tokens[username]

    def open_vote(self) -> None:
        """An open secret cluster vote on bca and bqp (test_web__year.open_vote's pattern)."""
        bloc = self.bloc
        bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
        rules = bloc.wf.rulebook.in_force(dt.date(2025, 12, 18))
        data = {"kind": "cluster", "titles": [FLAG],
                "candidates": {FLAG: [bloc.units["bca"], bloc.units["bqp"]]},
                "rule_set": {"code": rules.code, "version": rules.version}, "ranks": {},
                "past_winners": {}, "leader_unit_id": bloc.units["btp"], "secret": True,
                "campaign_id": self.campaign_id}
        session = bloc.wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster,
                                year=YEAR, data=data)
        bloc.wf.fire(session, "check_quorum", bloc.leader,
                     {"present": [f"unit:{u}" for u in bloc.units.values()]})
        bloc.wf.fire(session, "open", bloc.leader)
        self.session_id = session.id

    # -- voting -----------------------------------------------------------------------------

    def vote(self, who: str, choice: str) -> None:
        """One head votes through their channel: the ballot page (confirm, then cast) or the
        API. What the voter alone sees (their confirm page) is not kept; the receipt is."""
        self.bloc.clock.advance(minutes=7)
        username = f"{who}_head"
        chosen = [] if choice == ABSTAIN else [self.bloc.units[choice]]
        if CHANNELS[who] == "api":
            answer = self.app.test_client().post(
                f"/api/v1/votes/{self.session_id}/ballots", headers=self.bearer(username),
                json={"choices": {FLAG: chosen} if chosen else {}})
            assert answer.status_code == 201, answer.get_data(as_text=True)
            self.seen[f"receipt {who}"] = answer.get_data(as_text=True)
            return
        client = self.sign_in(username)
        path = f"/votes/{self.session_id}"
        form = {"csrf_token": csrf(client, path)}
        form.update({f"choice-{FLAG}": str(chosen[0])} if chosen else {"abstain": "1"})
        confirm = client.post(f"{path}/confirm", data=form)
        assert confirm.status_code == 200
        receipt = client.post(f"{path}/cast", data=form)
        assert receipt.status_code == 200
        self.seen[f"receipt {who}"] = receipt.get_data(as_text=True)

    def close_and_minute(self) -> None:
        bloc = self.bloc
        client = self.sign_in("btp_head")
        path = f"/votes/{self.session_id}"
        closed = client.post(f"{path}/fire", data={
            "csrf_token": csrf(client, path), "trigger": "close", "comment": REASON,
            "version": str(bloc.wf.get(self.session_id).version)})
        assert closed.status_code == 302
        assert bloc.wf.get(self.session_id).state == "tallied"
        voting.draw_up_minutes(bloc.wf, self.session_id, bloc.leader,
                               self.services.settings.documents_dir,
                               [("Nguyễn Văn A", "Trưởng ban kiểm phiếu")])
        bloc.wf.fire(self.session_id, "lock", bloc.leader)

    # -- reading everything -------------------------------------------------------------------

    def read_pages(self, moment: str) -> None:
        s, c = self.session_id, self.campaign_id
        pages = [f"/votes/{s}", f"/items/{s}", f"/campaigns/{c}", "/"]
        if moment == "locked":
            pages.append(f"/votes/{s}/minutes")
        for username in OBSERVERS:
            client = self.sign_in(username)
            for path in pages + (list(ADMIN_PAGES) if username == "quan_tri" else []):
                answer = client.get(path)
                if answer.status_code == 403:
                    continue
                assert answer.status_code == 200, (username, path, answer.status_code)
                if path.endswith("/minutes"):
                    text = docx_text(answer.data)
                    self.seen["minutes"] = text
                else:
                    text = answer.get_data(as_text=True)
                self.seen[f"{moment} {username} {path}"] = text
            for path in ("/api/v1/me", "/api/v1/inbox", f"/api/v1/items/{s}",
                         f"/api/v1/items/{s}/history?per_page=100", f"/api/v1/votes/{s}/result"):
                answer = self.app.test_client().get(path, headers=self.bearer(username))
                assert answer.status_code in (200, 403), (username, path, answer.status_code)
                self.seen[f"{moment} api {username} {path}"] = answer.get_data(as_text=True)

    def read_store(self) -> None:
        """What an administrator of the server could read: history, outbox, vote tables."""
        with self.services.engine.connect() as conn:
            self.seen["history"] = json.dumps([
                {k: v for k, v in r._mapping.items() if k not in ("id",)}
                for r in conn.execute(sa.select(history).order_by(
                    history.c.instance_id, history.c.seq))], default=str, sort_keys=True)
            self.seen["outbox"] = json.dumps([
                {k: v for k, v in r._mapping.items() if k not in ("id",)}
                for r in conn.execute(sa.select(outbox).order_by(outbox.c.id))],
                default=str, sort_keys=True)
            self.seen["participation"] = json.dumps(sorted(
                [list(r) for r in conn.execute(sa.select(vote_participation))], key=str))
            self.seen["ballots"] = json.dumps(sorted(
                [[r.session_id, r.round, r.choices, r.named_voter]
                 for r in conn.execute(sa.select(ballots))], key=json.dumps))
            # the sealed box: ciphertexts differ from world to world by their randomness, so
            # what is compared is their number, shape and receipts (hashes, normalised)
            self.seen["sealed"] = json.dumps(sorted(
                [[r.session_id, r.round, len(json.loads(r.sealed)), r.receipt]
                 for r in conn.execute(sa.select(sealed_ballots))], key=json.dumps))

    def close(self) -> None:
        self.services.close()


def play(url: str, folder: Path, assignment: dict[str, str], capture: Capture) -> World:
    world = World.build(url, folder)
    world.open_vote()
    with world.services.engine.connect() as conn:
        entries_before = conn.execute(sa.select(sa.func.count()).select_from(history)).scalar()
    first = len(capture.records)
    for who, choice in assignment.items():
        world.vote(who, choice)
    world.logs = list(capture.records[first:])
    with world.services.engine.connect() as conn:
        entries_after = conn.execute(sa.select(sa.func.count()).select_from(history)).scalar()
    assert entries_after == entries_before, "casting a ballot wrote to a history"
    world.read_pages("open")
    world.close_and_minute()
    world.read_pages("locked")
    world.read_store()
    return world


def url_for_world(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder}/thidua.db"
    return fresh_pg_url("ballots")


@pytest.fixture(scope="module")
def worlds(kind: str, tmp_path_factory: pytest.TempPathFactory, capture: Capture
           ) -> tuple[World, World]:
    played = []
    for name, assignment in (("a", WORLD_A), ("b", WORLD_B)):
        folder = tmp_path_factory.mktemp(f"ballots-{kind}-{name}")
        world = play(url_for_world(kind, folder), folder, assignment, capture)
        world.close()
        played.append(world)
    return played[0], played[1]


# --- the checks -----------------------------------------------------------------------------------


def test_the_worlds_differ_only_in_who_chose_what() -> None:
    assert sorted(WORLD_A.values()) == sorted(WORLD_B.values())
    assert set(WORLD_A) == set(WORLD_B) == set(CHANNELS)
    assert sum(WORLD_A[k] != WORLD_B[k] for k in WORLD_A) >= 6


def test_nothing_anyone_can_read_depends_on_who_chose_what(
    worlds: tuple[World, World]
) -> None:
    a, b = worlds

    assert set(a.seen) == set(b.seen)
    differ = [place for place in a.seen if normalise(a.seen[place]) != normalise(b.seen[place])]
    assert differ == []
    assert "minutes" in a.seen
    assert "history" in a.seen
    assert len(a.seen) > 80  # every observer's pages and API answers were read


def test_no_log_line_ties_a_voter_to_a_choice(worlds: tuple[World, World]) -> None:
    """Everything logged at DEBUG while the heads voted, SQL echo included: the two worlds log
    the very same lines, so no line (nor their order) can tell who chose what. (Writes run on
    the DBAPI cursor, so a ballot's content is never echoed at all.)"""
    a, b = worlds
    lines = [[normalise(r.getMessage()) for r in w.logs] for w in worlds]
    assert any(r.name.startswith("sqlalchemy") and "vote_participation" in r.getMessage()
               for r in a.logs), "SQL echo was not captured"
    assert lines[0] == lines[1]
    for world, assignment in ((a, WORLD_A), (b, WORLD_B)):
        for record in world.logs:
            line = record.getMessage()
            for who, choice in assignment.items():
                if choice == ABSTAIN:  # a blank ballot looks like nothing: the worlds cover it
                    continue
                picked = {FLAG: [world.bloc.units[choice]]}
                voter = (f"{who}_head", f"unit:{world.bloc.units[who]}")
                if any(v in line for v in voter):
                    assert json.dumps(picked) not in line, line
                    assert repr(picked) not in line, line


def test_the_ballot_box_keeps_no_voter_and_the_turnout_no_choice(
    worlds: tuple[World, World]
) -> None:
    a, _b = worlds
    # a secret ballot is sealed: nothing in the plain table, one ciphertext per candidate and
    # one for a blank ballot in the sealed box, which keeps no voter (issue 19)
    assert json.loads(a.seen["ballots"]) == []
    stored = json.loads(a.seen["sealed"])
    assert len(stored) == len(WORLD_A)
    assert {slots for _s, _r, slots, _receipt in stored} == {3}
    assert sealed_ballots.c.keys() == ["id", "session_id", "round", "sealed", "receipt"]
    # the participation table says who voted, and nothing else
    assert vote_participation.c.keys() == ["session_id", "round", "voter_key", "cast_by"]
    participation = json.loads(a.seen["participation"])
    assert sorted(p[2] for p in participation) == sorted(
        f"unit:{a.bloc.units[w]}" for w in WORLD_A)

    # the chair's turnout names who voted and who did not, never what
    turnout = a.seen[f"open btp_head /votes/{a.session_id}"]
    names = dict(MEMBERS)
    for who in WORLD_A:
        assert re.search(rf"<li class=\"voted\">{re.escape(names[who])} – đã bỏ phiếu</li>",
                         turnout), who
    assert re.search(rf"<li class=\"waiting\">{re.escape(names['ktnn'])} – chưa bỏ phiếu",
                     turnout)
    assert "Đã có 7/8 phiếu được bỏ." in turnout
    assert 'name="choice-' not in turnout  # the chair already voted: no ballot left open
    for who in WORLD_A:
        receipt = a.seen[f"receipt {who}"]
        for candidate in ("bca", "bqp"):
            assert names[candidate] not in receipt or CHANNELS[who] == "api"
        assert FLAG not in receipt
        assert "choices" not in receipt


def test_the_counted_result_gives_totals_only(worlds: tuple[World, World]) -> None:
    a, _b = worlds
    result = json.loads(a.seen[f"locked api vu_tdkt /api/v1/votes/{a.session_id}/result"])
    [round_] = result["tally"].values()
    assert (round_["ballots"], round_["abstained"], round_["eligible"]) == (7, 2, 8)
    yes = {c["candidate"]: c["yes"] for c in round_["titles"][FLAG]["candidates"]}
    assert yes == {a.bloc.units["bca"]: 2, a.bloc.units["bqp"]: 3}
    text = json.dumps(result)
    for who in WORLD_A:
        assert f"{who}_head" not in text
        assert f"unit:{a.bloc.units[who]}" not in text
    minutes = a.seen["minutes"]
    assert "Nguyễn Văn A" in minutes
    for who in WORLD_A:
        assert f"{who}_head" not in minutes
