"""Reliability under load and faults, on one PostgreSQL (`make reliability`).

Two web servers (gunicorn, two loopback ports) and two scheduler processes share a PostgreSQL
server of their own; a bounded load (50 clients for 60 s by default) approves pledges through
the API, casts ballots and reads inboxes, while the schedulers sweep a backlog of reminders.
Then: every accepted approval is in the history exactly once, no pledge moved twice, no ballot
was lost or doubled, every reminder was handled once, the history chains verify. While the
servers still run, PostgreSQL is stopped and started: requests get a clear 503 (never a 500),
succeed again after, and the schedulers live on. Then two crashes: a process firing transitions
killed with SIGKILL, and a sweeping process killed with SIGKILL; after each is restarted, only
whole transitions remain and every reminder is sent exactly once. Last, `thidua backup` and
`thidua restore` round trip the database and the row counts and chains are checked.

    python benchmarks/reliability.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.web import free_port, percentile  # noqa: E402
from tests.year_support import DATES, launch, make_bloc  # noqa: E402
from workflow.adapters.tables import (  # noqa: E402
    deadlines,
    history,
    instances,
    metadata,
    outbox,
    vote_participation,  # noqa: E402
)
from workflow.bootstrap import Services, bootstrap  # noqa: E402
from workflow.clock import FakeClock  # noqa: E402
from workflow.config import load_settings  # noqa: E402
from workflow.services import api_tokens  # noqa: E402
from workflow.services.audit import verify  # noqa: E402

PG_ENV = {**os.environ, "THIDUA_PG_PORT": "54340", "THIDUA_PG_DATA": "/tmp/thidua-pg-54340",
          "THIDUA_PG_DB": "reliability"}
FLAG = "co_thi_dua_chinh_phu"
CANDIDATES_CODES = ("bca", "bqp", "ttcp")
SESSIONS = 40  # open votes: each head casts one ballot in each, 320 in all
SEEDED_VERSION = 3  # a pledge's history after seeding: start, save_targets, submit
LOG = Path("/tmp/thidua-reliability.log")


def start_postgres() -> str:
    url = subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], env=PG_ENV, text=True,
                         capture_output=True, check=True, timeout=120).stdout.strip()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


def seed(url: str, tmp: Path) -> tuple[Services, dict[str, object]]:
    """The eight-member bloc with 20 submitted pledges per unit waiting for the leader, an
    open vote, and the pledge reminders of the year all overdue (a backlog to sweep)."""
    clock = FakeClock(dt.datetime(2025, 2, 10, 2, tzinfo=dt.UTC))
    settings = load_settings(environ={}, overrides={
        "database": {"url": url}, "app": {"documents_dir": str(tmp / "documents")}})
    svc = bootstrap(settings, clock=clock)
    svc.upgrade_schema()
    svc.sync_definitions()
    bloc = make_bloc(svc, clock)
    campaign = launch(bloc)
    wf = bloc.wf
    targets = {c.code: 100 for c in bloc.table.targets_required()}
    submitted, unit_of = [], {}
    for code in bloc.units:
        if code == "btp":
            continue
        for _ in range(20):
            item = wf.start("pledge", bloc.officer(code), unit_id=bloc.units[code],
                            cluster_id=bloc.cluster, year=2025, parent_id=campaign.id)
            wf.fire(item, "save_targets", bloc.officer(code), {"targets": targets})
            wf.fire(item, "submit", bloc.officer(code))
            submitted.append(item.id)
            unit_of[item.id] = code
    rules = wf.rulebook.in_force(dt.date(2025, 2, 10))  # type: ignore[union-attr]
    sessions = []
    candidates = [bloc.units[c] for c in CANDIDATES_CODES]
    for _ in range(SESSIONS):
        session = wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster, year=2025, data={
            "kind": "cluster", "titles": [FLAG], "candidates": {FLAG: candidates},
            "rule_set": {"code": rules.code, "version": rules.version}, "ranks": {},
            "past_winners": {}, "leader_unit_id": bloc.units["btp"], "secret": True,
            # the load ends before the count: by then the scheduled end has passed, so the
            # chair closes each vote however many ballots it holds
            "ends_at": clock.now().isoformat()})
        wf.fire(session, "check_quorum", bloc.leader,
                {"present": [f"unit:{u}" for u in bloc.units.values()]})
        wf.fire(session, "open", bloc.leader)
        sessions.append(session.id)
    tokens = {name: api_tokens.create_token(svc.uow(), clock, bloc.users[name], "load")
              for name in list(bloc.users)}
    return svc, {"submitted": submitted, "unit_of": unit_of, "sessions": sessions,
                 "tokens": tokens, "campaign": campaign.id, "dates": DATES,
                 "units": dict(bloc.units), "leader": bloc.leader}


def call(port: int, method: str, path: str, token: str, body: dict[str, object] | None = None
         ) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read())


def _json(raw: bytes) -> dict[str, object]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {"raw": raw[:200].decode("utf-8", "replace")}
    return body if isinstance(body, dict) else {"body": body}


def load(ports: list[int], seed_data: dict[str, object], clients: int, seconds: float
         ) -> dict[str, object]:
    """Each client, in a loop: read an officer's inbox (half the requests); move a random
    pledge one step on, as the leader would (accept or return it) or its unit's officer
    (submit it again), after reading its version (the other 40%); or cast a ballot, for a
    candidate other than the voter's own unit or blank, in one of the open votes (10%).
    A pledge returned and resubmitted stays in play, so writes go on for the whole run."""
    tokens: dict[str, str] = seed_data["tokens"]  # type: ignore[assignment]
    pledges: list[int] = seed_data["submitted"]  # type: ignore[assignment]
    unit_of: dict[int, str] = seed_data["unit_of"]  # type: ignore[assignment]
    sessions: list[int] = seed_data["sessions"]  # type: ignore[assignment]
    units: dict[str, int] = seed_data["units"]  # type: ignore[assignment]
    heads = [n for n in tokens if n.endswith("_head")]
    officers = [n for n in tokens if n.endswith("_officer")]
    fired: list[tuple[int, int, str]] = []  # (item, version after, trigger) of each 200
    cast: Counter[tuple[int, int | None]] = Counter()  # (session, candidate) of each 201
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def step(rng: random.Random, port: int) -> tuple[str, int]:
        item = rng.choice(pledges)
        code = unit_of[item]
        leader = "btp_head" if code == "lang" or rng.random() < 0.5 else "lang_head"
        status, body = call(port, "GET", f"/api/v1/items/{item}", tokens[leader])
        if status != 200:
            return "read item", status
        state = body["state"]
        if state == "submitted":
            trigger, who = ("accept", leader) if rng.random() < 0.1 else ("return", leader)
        elif state == "returned":
            trigger, who = "submit", f"{code}_officer"
        else:
            return "read item", status  # accepted: nothing left to do with it
        request: dict[str, object] = {"trigger": trigger, "version": body["version"]}
        if trigger == "return":
            request["comment"] = "Đề nghị bổ sung chỉ tiêu"
        status, answer = call(port, "POST", f"/api/v1/items/{item}/fire", tokens[who], request)
        if status == 200:
            with lock:
                fired.append((item, int(answer["version"]), trigger))  # type: ignore[call-overload]
        return trigger, status

    def ballot(rng: random.Random, port: int) -> tuple[str, int]:
        voter = rng.choice(heads)
        own = units[voter.removesuffix("_head")]
        pick = rng.choice([None, *(units[c] for c in CANDIDATES_CODES if units[c] != own)])
        session = rng.choice(sessions)
        status, _ = call(port, "POST", f"/api/v1/votes/{session}/ballots", tokens[voter],
                         {"choices": {FLAG: [pick]} if pick else {}})
        if status == 201:
            with lock:
                cast[(session, pick)] += 1
        return "ballot", status

    def one(rng: random.Random) -> tuple[str, int]:
        port = rng.choice(ports)
        roll = rng.random()
        if roll < 0.5:
            status, _ = call(port, "GET", "/api/v1/inbox", tokens[rng.choice(officers)])
            return "inbox", status
        return step(rng, port) if roll < 0.9 else ballot(rng, port)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                kind, status = one(rng)
            except OSError:
                kind, status = "error", 0
            took = (time.perf_counter() - started) * 1000
            with lock:
                statuses[f"{kind} {status}"] += 1
                latencies.append(took)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"fired": fired, "cast": cast, "statuses": statuses, "latencies": latencies}


def check(svc: Services, result: dict[str, object], data: dict[str, object]) -> list[str]:
    """What must hold after the load; returns the failures (empty when all is well)."""
    failures = []
    fired: list[tuple[int, int, str]] = result["fired"]  # type: ignore[assignment]
    cast: Counter[tuple[int, int | None]] = result["cast"]  # type: ignore[assignment]
    sessions: list[int] = data["sessions"]  # type: ignore[assignment]
    pledges: list[int] = data["submitted"]  # type: ignore[assignment]
    with svc.engine.connect() as conn:
        rows = conn.execute(sa.select(history.c.instance_id, history.c.seq, history.c.trigger)
                            .where(history.c.instance_id.in_(pledges),
                                   history.c.seq > SEEDED_VERSION)).all()
        versions = dict(conn.execute(sa.select(instances.c.id, instances.c.version).where(
            instances.c.id.in_(pledges))).all())
        casts = conn.execute(sa.select(sa.func.count()).select_from(vote_participation).where(
            vote_participation.c.session_id.in_(sessions))).scalar()
        pending = conn.execute(sa.select(sa.func.count()).where(
            deadlines.c.status == "pending", deadlines.c.fire_at <= sa.func.now())).scalar()
        done = conn.execute(sa.select(sa.func.count()).where(
            deadlines.c.status == "done")).scalar()
        doubled = conn.execute(sa.select(sa.func.count()).select_from(sa.select(
            outbox.c.deadline_id, outbox.c.user_id, outbox.c.channel).group_by(
            outbox.c.deadline_id, outbox.c.user_id, outbox.c.channel).having(
            sa.func.count() > 1).subquery())).scalar()
    in_history = Counter((int(i), int(s), str(t)) for i, s, t in rows)
    answered = Counter(fired)
    if in_history != answered:
        lost = sorted((answered - in_history).elements())[:5]
        phantom = sorted((in_history - answered).elements())[:5]
        failures.append(f"transitions answered 200: {len(fired)}, in the history: {len(rows)} "
                        f"(lost {lost}, never answered {phantom})")
    steps = Counter(i for i, _s, _t in rows)
    if any(versions[i] != SEEDED_VERSION + steps[i] for i in pledges):
        failures.append("a pledge's version does not match its history (a double transition)")
    if casts != sum(cast.values()):
        failures.append(f"ballots: {casts} voters recorded, {sum(cast.values())} accepted")
    failures += _count_the_box(svc, data, cast)
    if pending:
        failures.append(f"{pending} reminders still pending and overdue")
    if doubled:
        failures.append(f"{doubled} reminders written twice")
    report = verify(svc.uow(), svc.chain)
    if not report.ok:
        failures.append(f"history chains: {len(report.problems)} problems")
    print(f"checks: {len(fired)} transitions answered 200, {len(rows)} in the history, each "
          f"once; {len(pledges)} pledges' versions match their history; {casts} ballots "
          f"recorded, {sum(cast.values())} accepted, each of {len(sessions)} votes counts what "
          f"was cast; reminders: {done} handled, {pending} overdue left, {doubled} twice; "
          f"{report.entries} history entries, {len(report.problems)} problems", flush=True)
    return failures


def _count_the_box(svc: Services, data: dict[str, object],
                   cast: Counter[tuple[int, int | None]]) -> list[str]:
    """Close every vote: each candidate's count must be what the clients were told was cast."""
    sessions: list[int] = data["sessions"]  # type: ignore[assignment]
    wrong = []
    for session in sessions:
        counted = svc.workflows.fire(session, "close", data["leader"]).instance  # type: ignore[arg-type]
        tally = counted.data["tally"]["1"]
        yes = {int(c["candidate"]): int(c["yes"]) for c in tally["titles"][FLAG]["candidates"]}
        sent = {pick: n for (s, pick), n in cast.items() if s == session and pick is not None}
        blank = cast[(session, None)]
        if any(yes.get(c, 0) != n for c, n in sent.items()) or sum(yes.values()) != sum(
                sent.values()) or tally["abstained"] != blank:
            wrong.append(session)
    return [f"the count of {len(wrong)} vote(s) differs from the ballots cast"] if wrong else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = start_postgres()
        svc, data = seed(url, tmp)
        env = {**os.environ, "THIDUA_DATABASE_URL": url, "PYTHONPATH": str(ROOT),
               "THIDUA_APP_DOCUMENTS_DIR": str(tmp / "documents")}
        ports = [free_port(), free_port()]
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        thidua = str(Path(sys.executable).parent / "thidua")
        log = LOG.open("w")  # the servers' own logs: warnings while the database is down
        print(f"server and scheduler logs: {LOG}", flush=True)
        procs = [subprocess.Popen([gunicorn, "-w", "2", "--threads", "4", "-b",
                                   f"127.0.0.1:{p}", "--log-level", "warning", "web.wsgi:app"],
                                  cwd=ROOT, env={**env, "THIDUA_SCHEDULER_ENABLED": "false"},
                                  stdout=log, stderr=log)
                 for p in ports]
        procs += [subprocess.Popen([thidua, "scheduler"], cwd=ROOT, stdout=log, stderr=log,
                                   env={**env, "THIDUA_SCHEDULER_SWEEP_INTERVAL_SECONDS": "2"})
                  for _ in range(2)]
        try:
            from benchmarks.web import _wait

            for p in ports:
                _wait(p)
            result = load(ports, data, args.clients, args.seconds)
            time.sleep(6)  # let the schedulers finish the backlog
            report(result, args)
            failures = check(svc, result, data)
            failures += outage(svc, ports, data, procs[2:])
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)
            log.close()
        failures += crash_tests(svc, env)
        failures += sweep_crash(svc, env)
        failures += backup_round_trip(svc, env, tmp)
        svc.close()
    print("reliability: " + ("all checks held" if not failures else "FAILED: " +
                              "; ".join(failures)), flush=True)
    return 1 if failures else 0


def report(result: dict[str, object], args: argparse.Namespace) -> None:
    statuses: Counter[str] = result["statuses"]  # type: ignore[assignment]
    latencies: list[float] = result["latencies"]  # type: ignore[assignment]
    total = sum(statuses.values())
    print(f"load: {args.clients} clients for {args.seconds:.0f} s on 2 web servers and 2 "
          f"schedulers (PostgreSQL): {total} requests, {total / args.seconds:.0f}/s, "
          f"p95 {percentile(latencies, 95):.0f} ms", flush=True)
    for key, count in sorted(statuses.items()):
        print(f"  {key}: {count}")
    fired: list[tuple[int, int, str]] = result["fired"]  # type: ignore[assignment]
    cast: Counter[tuple[int, int | None]] = result["cast"]  # type: ignore[assignment]
    by_trigger = ", ".join(f"{t} {n}" for t, n in sorted(Counter(t for *_, t in fired).items()))
    print(f"  transitions made: {len(fired)} ({by_trigger}); "
          "a 409 is a stale version (someone moved the item first): refused, nothing written")
    print(f"  ballots cast: {sum(cast.values())} in {len({s for s, _ in cast})} votes; "
          "a 409 is a second ballot from the same seat")


MOVE_SCRIPT = """
import sys
sys.path.insert(0, '.')
import sqlalchemy as sa
from workflow.adapters.tables import instances
from workflow.bootstrap import bootstrap
from workflow.domain.roles import Actor, RoleGrant
svc = bootstrap()
admin = Actor(None, 'admin', (RoleGrant('admin'),))
with svc.engine.connect() as conn:
    ids = [r[0] for r in conn.execute(sa.select(instances.c.id).where(
        instances.c.workflow == 'pledge', instances.c.state != 'draft').order_by(instances.c.id))]
for x in ids:
    svc.workflows.move_to(x, 'draft', admin, 'reliability: crash test')
"""


def _pledges(svc: Services, *, draft: bool) -> int:
    i = instances.c
    state = i.state == "draft" if draft else i.state != "draft"
    with svc.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(
            i.workflow == "pledge", state)).scalar() or 0)


def outage(svc: Services, ports: list[int], data: dict[str, object],
           schedulers: list[subprocess.Popen[bytes]]) -> list[str]:
    """PostgreSQL stopped under the running servers, then started again."""
    tokens: dict[str, str] = data["tokens"]  # type: ignore[assignment]
    officer = tokens[next(n for n in tokens if n.endswith("_officer"))]
    leader = tokens["btp_head"]
    pledge = data["submitted"][0]  # type: ignore[index]
    before = _history_count(svc)
    svc.engine.dispose()
    pg = str(ROOT / "scripts" / "pg.sh")
    subprocess.run([pg, "stop"], env=PG_ENV, check=True, timeout=120)
    down: Counter[str] = Counter()
    try:
        for _ in range(10):
            for port in ports:
                down[f"inbox {call(port, 'GET', '/api/v1/inbox', officer)[0]}"] += 1
                status, _ = call(port, "POST", f"/api/v1/items/{pledge}/fire", leader,
                                 {"trigger": "accept", "version": 1})
                down[f"fire {status}"] += 1
    finally:
        subprocess.run([pg, "start"], env=PG_ENV, check=True, timeout=120,
                       stdout=subprocess.DEVNULL)
    started = time.monotonic()
    recovered: list[float] = []
    for port in ports:
        while time.monotonic() - started < 30:
            if call(port, "GET", "/api/v1/inbox", officer)[0] == 200:
                recovered.append(time.monotonic() - started)
                break
            time.sleep(0.2)
    time.sleep(3)  # the schedulers' next sweeps run against the restarted server
    alive = sum(1 for p in schedulers if p.poll() is None)
    wrote = _write_once(svc, ports[1], leader)
    after = _history_count(svc)
    audit = verify(svc.uow(), svc.chain)
    print(f"outage: PostgreSQL stopped under 2 servers: {sum(down.values())} requests answered "
          + ", ".join(f"{k}: {v}" for k, v in sorted(down.items()))
          + f"; started again: {len(recovered)}/2 servers answered 200 within "
          f"{max(recovered, default=0):.1f} s; a transition after: {wrote}; schedulers alive "
          f"{alive}/{len(schedulers)}; history entries {before} -> {after} (+1), "
          f"{len(audit.problems)} problems", flush=True)
    failures = []
    if any(not key.endswith(" 503") for key in down):
        failures.append(f"during the outage: {dict(down)} (every answer must be a 503)")
    if len(recovered) != len(ports):
        failures.append("a server did not recover after the database came back")
    if alive != len(schedulers):
        failures.append("a scheduler process died during the outage")
    if wrote != 200:
        failures.append(f"a transition after the outage was answered {wrote}")
    if after != before + 1 or not audit.ok:
        failures.append("the outage changed or broke the history")
    return failures


def _write_once(svc: Services, port: int, leader: str) -> int:
    """Return one submitted pledge through the API, as the leader (btp, whose own pledges are
    not in play): the answer's status."""
    with svc.engine.connect() as conn:
        row = conn.execute(sa.select(instances.c.id, instances.c.version).where(
            instances.c.workflow == "pledge", instances.c.state == "submitted").limit(1)).first()
    if row is None:
        return 0  # nothing left to return: reported as a failed write
    item, version = row
    return call(port, "POST", f"/api/v1/items/{item}/fire", leader, {
        "trigger": "return", "version": version, "comment": "Bổ sung sau sự cố"})[0]


def _history_count(svc: Services) -> int:
    with svc.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(history)).scalar() or 0)


def crash_tests(svc: Services, env: dict[str, str]) -> list[str]:
    """A process moving every pledge back to draft is killed with SIGKILL part-way, then run
    again: no half-written step, and the rerun finishes the batch."""
    batch = _pledges(svc, draft=False)
    proc = subprocess.Popen([sys.executable, "-c", MOVE_SCRIPT], cwd=ROOT, env=env)
    limit = time.monotonic() + 120
    while (_pledges(svc, draft=False) > batch * 0.6 and proc.poll() is None
           and time.monotonic() < limit):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = _pledges(svc, draft=False)
    killed = verify(svc.uow(), svc.chain)
    rerun = subprocess.run([sys.executable, "-c", MOVE_SCRIPT], cwd=ROOT, env=env, timeout=600)
    final = verify(svc.uow(), svc.chain)
    print(f"crash: a process moving {batch} pledges killed with SIGKILL after {batch - left}: "
          f"{len(killed.problems)} problems; restarted, it moved the other {left}: "
          f"{final.instances} instances, {final.entries} history entries, "
          f"{len(final.problems)} problems", flush=True)
    failures = []
    if not 0 < left < batch:
        failures.append(f"the kill did not fall inside the batch ({left} of {batch} left)")
    if not killed.ok or not final.ok:
        failures.append("a killed transition left a half-written step")
    if rerun.returncode != 0 or _pledges(svc, draft=False) != 0:
        failures.append("the restarted process did not finish the batch")
    return failures


SWEEP_NOW = "2025-12-31T09:00"
EXTRA = 20  # overdue reminders added per draft pledge for the sweep crash


def sweep_crash(svc: Services, env: dict[str, str]) -> list[str]:
    """A backlog of overdue reminders; `thidua sweep` killed with SIGKILL mid-way, then run
    again: every reminder sent once to the officer and the head, none twice."""
    i, d, o = instances.c, deadlines.c, outbox.c
    with svc.engine.begin() as conn:
        drafts = conn.execute(sa.select(i.id, i.version).where(
            i.workflow == "pledge", i.state == "draft")).all()
        conn.execute(deadlines.insert(), [
            {"instance_id": pid, "state": "draft", "entry_version": version, "kind": "reminder",
             "days_before": 100 + n, "due_date": dt.date(2025, 3, 26),
             "fire_at": dt.datetime(2025, 3, 1, 1, tzinfo=dt.UTC),
             "anchor": "campaign_date:pledge_deadline:-5", "status": "pending"}
            for pid, version in drafts for n in range(EXTRA)])
    ours = sa.and_(d.kind == "reminder", d.days_before >= 100)

    def counts() -> tuple[int, int, int, int]:
        with svc.engine.connect() as conn:
            pending = conn.execute(sa.select(sa.func.count()).where(
                ours, d.status == "pending")).scalar()
            done = conn.execute(sa.select(sa.func.count()).where(
                ours, d.status == "done")).scalar()
            sent = conn.execute(sa.select(sa.func.count()).select_from(outbox).join(
                deadlines, d.id == o.deadline_id).where(ours)).scalar()
            distinct = conn.execute(sa.select(sa.func.count()).select_from(sa.select(
                o.deadline_id, o.user_id, o.channel).join(
                deadlines, d.id == o.deadline_id).where(ours).distinct().subquery())).scalar()
        return int(pending or 0), int(done or 0), int(sent or 0), int(distinct or 0)

    rows = len(drafts) * EXTRA
    command = [sys.executable, "-m", "workflow.cli", "sweep", "--now", SWEEP_NOW, "--batch"]
    proc = subprocess.Popen(command + ["25"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    limit = time.monotonic() + 120
    while counts()[1] < rows * 0.2 and proc.poll() is None and time.monotonic() < limit:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, done_at_kill, _, _ = counts()
    rerun = subprocess.run(command + ["200"], cwd=ROOT, env=env, timeout=600,
                           stdout=subprocess.DEVNULL)
    pending, done, sent, distinct = counts()
    print(f"sweep crash: {rows} overdue reminders; the sweep killed with SIGKILL after "
          f"{done_at_kill}; restarted: {done} done, {pending} pending, {sent} messages "
          f"(officer and head: {2 * rows} expected), {sent - distinct} written twice", flush=True)
    failures = []
    if not 0 < done_at_kill < rows:
        failures.append(f"the kill did not fall inside the sweep ({done_at_kill} of {rows})")
    if rerun.returncode != 0 or pending or done != rows:
        failures.append(f"reminders left after the restarted sweep: {pending}")
    if sent != distinct:
        failures.append(f"{sent - distinct} reminders written twice")
    if sent != 2 * rows:
        failures.append(f"{sent} reminder messages, {2 * rows} expected")
    return failures


def _table_counts(svc: Services) -> dict[str, int]:
    with svc.engine.connect() as conn:
        return {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                            or 0) for t in metadata.sorted_tables}


def backup_round_trip(svc: Services, env: dict[str, str], tmp: Path) -> list[str]:
    """`thidua backup`, then data changed and lost, then `thidua restore`: all is back."""
    thidua = str(Path(sys.executable).parent / "thidua")
    file = tmp / "reliability.bak"
    before = _table_counts(svc)
    started = time.perf_counter()
    made = subprocess.run([thidua, "backup", str(file)], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=600)
    took_backup = time.perf_counter() - started
    with svc.engine.begin() as conn:  # the accident the backup is for
        conn.execute(outbox.delete())
        conn.execute(history.update().where(history.c.id == sa.select(
            sa.func.max(history.c.id)).scalar_subquery()).values(trigger="tampered"))
    svc.engine.dispose()
    started = time.perf_counter()
    back = subprocess.run([thidua, "restore", str(file), "--yes"], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=600)
    took_restore = time.perf_counter() - started
    after = _table_counts(svc)
    audit = verify(svc.uow(), svc.chain)
    size = file.stat().st_size if file.exists() else 0
    differ = sorted(name for name in before if before[name] != after.get(name))
    print(f"backup: {len(before)} tables, {sum(before.values())} rows, {size / 1e6:.1f} MB in "
          f"{took_backup:.1f} s; outbox emptied and a history entry altered; restore in "
          f"{took_restore:.1f} s: {'verified' if back.returncode == 0 else 'FAILED'}, "
          f"{len(differ)} tables differ, {len(audit.problems)} history problems", flush=True)
    failures = []
    if made.returncode != 0:
        failures.append(f"backup failed: {made.stderr.strip()}")
    if back.returncode != 0 or "verified" not in back.stdout:
        failures.append(f"restore failed: {back.stderr.strip()}")
    if differ:
        failures.append(f"after the restore these tables differ: {', '.join(differ)}")
    if not audit.ok:
        failures.append("the restored history does not verify")
    return failures


if __name__ == "__main__":
    sys.exit(main())
