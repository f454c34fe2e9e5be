"""Reliability under load and faults, on one PostgreSQL (`make reliability`).

Two web servers (gunicorn, two loopback ports) and two scheduler processes share a PostgreSQL
server of their own; a bounded load (50 clients for 60 s by default) approves pledges through
the API, casts ballots and reads inboxes, while the schedulers sweep a backlog of reminders.
Then: every accepted approval is in the history exactly once, no pledge moved twice, no ballot
was lost or doubled, every reminder was handled once, the history chains verify. Then two
crashes: a process firing transitions killed with SIGKILL, and a sweeping process killed with
SIGKILL; after each, only whole transitions remain and every reminder is sent exactly once.

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
    ballots,
    deadlines,
    history,
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
    submitted = []
    for code in bloc.units:
        if code == "btp":
            continue
        for _ in range(20):
            item = wf.start("pledge", bloc.officer(code), unit_id=bloc.units[code],
                            cluster_id=bloc.cluster, year=2025, parent_id=campaign.id)
            wf.fire(item, "save_targets", bloc.officer(code), {"targets": targets})
            wf.fire(item, "submit", bloc.officer(code))
            submitted.append(item.id)
    rules = wf.rulebook.in_force(dt.date(2025, 2, 10))  # type: ignore[union-attr]
    session = wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster, year=2025, data={
        "kind": "cluster", "titles": [FLAG], "candidates": {FLAG: [bloc.units["bca"]]},
        "rule_set": {"code": rules.code, "version": rules.version}, "ranks": {},
        "past_winners": {}, "leader_unit_id": bloc.units["btp"], "secret": True})
    wf.fire(session, "check_quorum", bloc.leader,
            {"present": [f"unit:{u}" for u in bloc.units.values()]})
    wf.fire(session, "open", bloc.leader)
    tokens = {name: api_tokens.create_token(svc.engine, clock, bloc.users[name], "load")
              for name in list(bloc.users)}
    return svc, {"submitted": submitted, "session": session.id, "tokens": tokens,
                 "campaign": campaign.id, "dates": DATES}


def call(port: int, method: str, path: str, token: str, body: dict[str, object] | None = None
         ) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def load(ports: list[int], seed_data: dict[str, object], clients: int, seconds: float
         ) -> dict[str, object]:
    tokens: dict[str, str] = seed_data["tokens"]  # type: ignore[assignment]
    pledges: list[int] = seed_data["submitted"]  # type: ignore[assignment]
    session = seed_data["session"]
    heads = [n for n in tokens if n.endswith("_head")]
    officers = [n for n in tokens if n.endswith("_officer")]
    accepted: list[tuple[int, int]] = []
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def one(rng: random.Random) -> tuple[str, int]:
        port = rng.choice(ports)
        roll = rng.random()
        if roll < 0.5:
            status, _ = call(port, "GET", "/api/v1/inbox", tokens[rng.choice(officers)])
            return "inbox", status
        if roll < 0.9:
            item = rng.choice(pledges)
            leader = "lang_head" if rng.random() < 0.5 else "btp_head"
            status, body = call(port, "GET", f"/api/v1/items/{item}", tokens[leader])
            if status != 200:
                return "approve", status
            status, body = call(port, "POST", f"/api/v1/items/{item}/fire", tokens[leader],
                                {"trigger": "accept", "version": body["version"]})
            if status == 200:
                with lock:
                    accepted.append((item, int(body["version"])))  # type: ignore[arg-type]
            return "approve", status
        voter = rng.choice(heads)
        status, _ = call(port, "POST", f"/api/v1/votes/{session}/ballots", tokens[voter],
                         {"choices": {FLAG: []}})
        return "ballot", status

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
    return {"accepted": accepted, "statuses": statuses, "latencies": latencies}


def check(svc: Services, result: dict[str, object], session: int) -> list[str]:
    """What must hold after the load; returns the failures (empty when all is well)."""
    failures = []
    accepted: list[tuple[int, int]] = result["accepted"]  # type: ignore[assignment]
    with svc.engine.connect() as conn:
        rows = conn.execute(sa.select(history.c.instance_id, history.c.seq).where(
            history.c.trigger == "accept")).all()
        casts = conn.execute(sa.select(sa.func.count()).select_from(vote_participation).where(
            vote_participation.c.session_id == session)).scalar()
        box = conn.execute(sa.select(sa.func.count()).select_from(ballots).where(
            ballots.c.session_id == session)).scalar()
        pending = conn.execute(sa.select(sa.func.count()).where(
            deadlines.c.status == "pending", deadlines.c.fire_at <= sa.func.now())).scalar()
        doubled = conn.execute(sa.select(sa.func.count()).select_from(sa.select(
            outbox.c.deadline_id, outbox.c.user_id, outbox.c.channel).group_by(
            outbox.c.deadline_id, outbox.c.user_id, outbox.c.channel).having(
            sa.func.count() > 1).subquery())).scalar()
    in_history = Counter((i, s) for i, s in rows)
    per_item = Counter(i for i, _ in rows)
    if sorted(in_history) != sorted(accepted) or any(n != 1 for n in in_history.values()):
        failures.append(f"accepted approvals {len(accepted)} vs history {len(rows)}")
    if any(n > 1 for n in per_item.values()):
        failures.append("a pledge was accepted twice")
    statuses: Counter[str] = result["statuses"]  # type: ignore[assignment]
    if casts != box or casts != statuses.get("ballot 201", 0):
        failures.append(f"ballots: {casts} voters, {box} in the box, "
                        f"{statuses.get('ballot 201', 0)} accepted")
    if pending:
        failures.append(f"{pending} reminders still pending and overdue")
    if doubled:
        failures.append(f"{doubled} reminders written twice")
    report = verify(svc.engine, svc.chain)
    if not report.ok:
        failures.append(f"history chains: {len(report.problems)} problems")
    return failures


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
        procs = [subprocess.Popen([gunicorn, "-w", "2", "--threads", "4", "-b",
                                   f"127.0.0.1:{p}", "--log-level", "warning", "web.wsgi:app"],
                                  cwd=ROOT, env={**env, "THIDUA_SCHEDULER_ENABLED": "false"})
                 for p in ports]
        procs += [subprocess.Popen([thidua, "scheduler"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                   env={**env, "THIDUA_SCHEDULER_SWEEP_INTERVAL_SECONDS": "2"})
                  for _ in range(2)]
        try:
            from benchmarks.web import _wait

            for p in ports:
                _wait(p)
            result = load(ports, data, args.clients, args.seconds)
            time.sleep(6)  # let the schedulers finish the backlog
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)
        failures = check(svc, result, int(data["session"]))  # type: ignore[arg-type]
        report(result, args)
        failures += crash_tests(svc, url, env)
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
    accepted: list[object] = result["accepted"]  # type: ignore[assignment]
    print(f"  approvals accepted: {len(accepted)} (the others were stale or already done)")


def crash_tests(svc: Services, url: str, env: dict[str, str]) -> list[str]:
    """A firing process and a sweeping process, each killed with SIGKILL mid-work."""
    failures = []
    script = ("import sys; sys.path.insert(0, '.');"
              "from workflow.bootstrap import bootstrap;"
              "from workflow.domain.roles import Actor, RoleGrant;"
              "svc = bootstrap(); wf = svc.workflows;"
              "import sqlalchemy as sa;"
              "from workflow.adapters.tables import instances as i;"
              "ids = [r[0] for r in svc.engine.connect().execute(sa.select(i.c.id).where("
              "i.c.workflow == 'pledge', i.c.state == 'submitted'))];"
              "actor = Actor(None, 'crash', (RoleGrant('council_secretariat'),));"
              "[wf.move_to(x, 'draft', Actor(None, 'admin', (RoleGrant('admin'),)), 'crash test')"
              " for x in ids]")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    report = verify(svc.engine, svc.chain)
    print(f"crash: a process moving pledges killed with SIGKILL: {report.instances} instances, "
          f"{report.entries} history entries, {len(report.problems)} problems", flush=True)
    if not report.ok:
        failures.append("a killed transition left a half-written step")
    return failures


if __name__ == "__main__":
    sys.exit(main())
