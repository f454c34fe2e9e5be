"""Importing a province from one .xlsx file, SQLite: units, the year's clusters (cụm, khối)
and people with their roles, checked (dry run) and committed, then the same file again
(which updates nothing and duplicates nothing).

    python benchmarks/imports.py [--clusters 17] [--members 8] [--people 2] [--smoke]

Prints the time of the dry run, of the commit (it checks the file again inside its
transaction) and of the re-import (target: the commit under 10 s for 17 clusters of 8 units
and two people a unit, a province's scale); beside it the baseline of creating the same units,
clusters and people one use case call at a time, as the admin pages do. Exits 1 when a target
is missed; `--smoke` imports 10 clusters of 10 units and 250 people, enforcing nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from benchmarks.common import Targets, smoke_argument  # noqa: E402
from workflow.bootstrap import Services, bootstrap  # noqa: E402
from workflow.config import load_settings  # noqa: E402
from workflow.domain.imports import CLUSTERS, PEOPLE, UNITS  # noqa: E402
from workflow.domain.roles import Actor, RoleGrant  # noqa: E402
from workflow.services import imports, organisations, people  # noqa: E402

TARGET_S = 10.0
ADMIN = Actor(None, "quantri", (RoleGrant("admin"),))


def province_workbook(clusters: int = 17, members: int = 8, per_unit: int = 2,
                      year_note: str = "") -> bytes:
    """A province in the template's layout: its people's committee, `clusters` × `members`
    departments and communes under it (each cluster's members listed in rotation order,
    which is not alphabetical), `per_unit` people a unit (officer, head, …) and the council
    office."""
    book = Workbook()
    book.remove(book.worksheets[0])
    units = book.create_sheet(UNITS.title)
    units.append([c.header for c in UNITS.columns])
    units.append(["UBND_TINH", "Ủy ban nhân dân tỉnh", "", "tinh"])
    codes: list[list[str]] = []
    for k in range(clusters):
        row = []
        for m in range(members):
            code = f"DV{k:02d}_{m:02d}"
            kind = "so_nganh" if k % 2 == 0 else "xa"
            units.append([code, f"Đơn vị {m + 1} của cụm {k + 1}{year_note}", "UBND_TINH",
                          kind])
            row.append(code)
        codes.append(row)
    sheet = book.create_sheet(CLUSTERS.title)
    sheet.append([c.header for c in CLUSTERS.columns])
    for k, row in enumerate(codes):
        order = row[k % len(row):] + row[:k % len(row)]  # rotated: not in code order
        sheet.append([f"CUM_{k + 1:02d}", f"Cụm thi đua số {k + 1}", "cum" if k % 3 else "khoi",
                      "; ".join(order), order[0], order[1], "Hội đồng TĐKT tỉnh"])
    folks = book.create_sheet(PEOPLE.title)
    folks.append([c.header for c in PEOPLE.columns])
    folks.append(["vu_tdkt", "Ban Thi đua – Khen thưởng", "bantdkt@example.gov.vn", "UBND_TINH",
                  "council_secretariat"])
    roles = ("unit_officer", "unit_head", "unit_officer")
    for row in codes:
        for code in row:
            for n in range(per_unit):
                name = f"{code.lower()}.{n + 1}"
                folks.append([name, f"Người {n + 1} của {code}", f"{name}@example.gov.vn",
                              code, roles[n % len(roles)]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def one_at_a_time(svc: Services, clusters: int, members: int, per_unit: int) -> None:
    """The baseline: the same directory created one use case call at a time."""
    uow = svc.uow()
    root = organisations.create_unit(uow, "B_TINH", "Ủy ban nhân dân tỉnh")
    for k in range(clusters):
        ids = [organisations.create_unit(uow, f"B{k:02d}_{m:02d}", f"Đơn vị {m}", root)
               for m in range(members)]
        organisations.create_cluster(uow, f"B_CUM_{k}", f"Cụm {k}", "cum", 2026, ids,
                                     leader_unit_id=ids[0], deputy_unit_id=ids[1])
        for unit in ids:
            for n in range(per_unit):
                user = people.create_user(uow, f"b{unit}.{n}", f"Người {n}")
                people.grant(uow, user, "unit_officer", unit_id=unit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=17)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--people", type=int, default=2)
    smoke_argument(parser)
    args = parser.parse_args()
    if args.smoke:
        args.clusters, args.members, args.people = 10, 10, 2
    targets = Targets(args.smoke)
    data = province_workbook(args.clusters, args.members, args.people)
    units, persons = args.clusters * args.members + 1, args.clusters * args.members * args.people
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(environ={}, overrides={
            "database": {"url": f"sqlite:///{folder}/imports.db"},
            "app": {"documents_dir": f"{folder}/documents"}})
        svc = bootstrap(settings)
        svc.upgrade_schema()
        start = time.perf_counter()
        checked = imports.dry_run(svc.uow(), ADMIN, "tinh.xlsx", data, 2026)
        dry = time.perf_counter() - start
        assert checked.ok, checked.problems[:5]
        start = time.perf_counter()
        imports.commit(svc.uow(), ADMIN, "tinh.xlsx", data, 2026)
        commit = time.perf_counter() - start
        start = time.perf_counter()
        again = imports.commit(svc.uow(), ADMIN, "tinh.xlsx", data, 2026)
        repeat = time.perf_counter() - start
        assert again.new_people == ()
        start = time.perf_counter()
        one_at_a_time(svc, args.clusters, args.members, args.people)
        baseline = time.perf_counter() - start
        svc.close()
    print(f"import: {args.clusters} clusters, {units} units, {persons + 1} people from one "
          f".xlsx ({len(data) // 1024} KB), SQLite", flush=True)
    verdict = targets.check(f"import {commit:.1f} s", commit < TARGET_S)
    print(f"  dry run {dry:.2f} s, commit {commit:.2f} s (target < 10 s) {verdict}", flush=True)
    print(f"  re-import of the same file {repeat:.2f} s (nothing created)", flush=True)
    print(f"  baseline: the same, one use case call at a time {baseline:.2f} s", flush=True)
    return targets.exit_code("imports.py")


if __name__ == "__main__":
    sys.exit(main())
