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
    ballots,
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
            failures = check(svc, result, int(data["session"]))  # type: ignore[arg-type]
            report(result, args)
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
    accepted: list[object] = result["accepted"]  # type: ignore[assignment]
    print(f"  approvals accepted: {len(accepted)} (the others were stale or already done)")


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
    after = _history_count(svc)
    audit = verify(svc.engine, svc.chain)
    print(f"outage: PostgreSQL stopped under 2 servers: {sum(down.values())} requests answered "
          + ", ".join(f"{k}: {v}" for k, v in sorted(down.items()))
          + f"; started again: {len(recovered)}/2 servers answered 200 within "
          f"{max(recovered, default=0):.1f} s; schedulers alive {alive}/{len(schedulers)}; "
          f"history entries {before} -> {after}, {len(audit.problems)} problems", flush=True)
    failures = []
    if any(not key.endswith(" 503") for key in down):
        failures.append(f"during the outage: {dict(down)} (every answer must be a 503)")
    if len(recovered) != len(ports):
        failures.append("a server did not recover after the database came back")
    if alive != len(schedulers):
        failures.append("a scheduler process died during the outage")
    if after != before or not audit.ok:
        failures.append("the outage changed or broke the history")
    return failures


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
    killed = verify(svc.engine, svc.chain)
    rerun = subprocess.run([sys.executable, "-c", MOVE_SCRIPT], cwd=ROOT, env=env, timeout=600)
    final = verify(svc.engine, svc.chain)
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
    audit = verify(svc.engine, svc.chain)
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
