"""The council office's pages on a seeded province, SQLite: the overview of the year and the
fairness pages (summary and one cluster), rendered through the Flask app as the signed-in
council office.

    python benchmarks/overview.py [--clusters 17] [--members 10] [--repeat 20] [--smoke]

Prints the median render time of each page (target: under 200 ms) beside two baselines
measured in the same run: the cluster list page (a plain page of the same app, the floor of a
signed-in page) and the overview's items read the naive way (each campaign's items loaded one
campaign at a time through the engine), which the overview's few set-based queries replace.
Exits 1 when a target is missed; `--smoke` seeds 10 clusters of 4 units and repeats 3 times,
enforcing nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Targets, smoke_argument  # noqa: E402
from benchmarks.province import seed_province  # noqa: E402
from web import create_app  # noqa: E402
from workflow.bootstrap import bootstrap  # noqa: E402
from workflow.config import load_settings  # noqa: E402
from workflow.services import people  # noqa: E402

TARGET_MS = 200.0
PASSWORD = "tai-thu-tong-quan"


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm: templates compiled, catalogue loaded
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=17)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    smoke_argument(parser)
    args = parser.parse_args()
    if args.smoke:
        args.clusters, args.members, args.repeat = 10, 4, 3
    targets = Targets(args.smoke)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/overview.db"
        settings = load_settings(environ={}, overrides={
            "database": {"url": url}, "app": {"documents_dir": f"{folder}/documents",
                                              "secret_key": "benchmark-overview-secret"}})
        svc = bootstrap(settings)
        svc.upgrade_schema()
        svc.sync_definitions()
        start = time.perf_counter()
        province = seed_province(svc, clusters=args.clusters, members=args.members)
        seeded = time.perf_counter() - start
        uow = svc.uow()
        uid = people.create_user(uow, "vu_tdkt", "Vụ Thi đua – Khen thưởng")
        people.grant(svc.uow(), uid, "council_secretariat")
        people.set_password(svc.uow(), uid, PASSWORD)
        app = create_app(services=svc, testing=True)
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        client.post("/login", data={"username": "vu_tdkt", "password": PASSWORD})
        code = next(iter(province.names))

        def page(path: str) -> Callable[[], object]:
            def run() -> object:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return response.get_data()
            return run

        def naive() -> object:
            found = []
            for campaign in province.campaigns.values():
                found.extend(svc.workflows.children(campaign))
            return found

        print(f"overview: {args.clusters} clusters of {args.members} units, five years, "
              f"seeded in {seeded:.1f} s; median of {args.repeat} renders, SQLite", flush=True)
        figures = {
            "overview of the year": median_ms(page("/overview"), args.repeat),
            "fairness, every cluster": median_ms(page("/fairness"), args.repeat),
            "fairness, one cluster": median_ms(page(f"/fairness/{code}"), args.repeat),
        }
        floor = median_ms(page("/clusters"), args.repeat)
        slow = median_ms(naive, args.repeat)
        for label, ms in figures.items():
            verdict = targets.check(f"{label} {ms:.0f} ms", ms < TARGET_MS)
            print(f"  {label:28} {ms:8.1f} ms (target < 200 ms) {verdict}", flush=True)
        print(f"  baseline: cluster list page  {floor:8.1f} ms", flush=True)
        print(f"  baseline: items one campaign at a time {slow:8.1f} ms "
              f"(the overview reads them in one query)", flush=True)
        svc.close()
    return targets.exit_code("overview.py")


if __name__ == "__main__":
    sys.exit(main())
