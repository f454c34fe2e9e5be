"""Run every benchmark in turn (`make bench`); exits 1 when any of them failed or missed a
target. Arguments are passed on to each, e.g. `--smoke` for a quick proof that all still run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["engine.py", "year.py", "sweep.py", "web.py", "overview.py",
              "imports.py"]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]],
                               env=os.environ.copy())
        if code != 0:
            failed.append(f"{name} (exit status {code})")
    if failed:
        print(f"run_all: failed or missed a target: {', '.join(failed)}", flush=True)
        return 1
    print("run_all: every benchmark exited 0", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
