"""Run every benchmark in turn (`make bench`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["engine.py", "year.py", "sweep.py", "web.py"]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]],
                                  env=os.environ.copy())
    return failed


if __name__ == "__main__":
    sys.exit(main())
