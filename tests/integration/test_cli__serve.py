"""`thidua serve`, which `make run` starts: gunicorn, as in production, and the scheduler in one
process of its own beside it; both stop together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_serve_runs_gunicorn_and_one_scheduler_and_stops_them_together(tmp_path: Path) -> None:
    port = _free_port()
    env = os.environ | {
        "THIDUA_DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
        "THIDUA_APP_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "THIDUA_SCHEDULER_SWEEP_INTERVAL_SECONDS": "1",
    }
    thidua = str(Path(sys.executable).parent / "thidua")
    subprocess.run([thidua, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([thidua, "serve", "--port", str(port), "--workers", "2"],
                                  env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as page:
                    assert page.status == 200
                    assert "Đăng nhập" in page.read().decode()
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        while "sweeping every 1 s" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        commands = [_command(c) for c in _children(server.pid)]
        schedulers = [c for c in commands if "web.cli scheduler" in c]
        workers = [c for c in commands if c not in schedulers]
        assert len(schedulers) == 1, commands
        assert len(workers) == 2, commands
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    output = log.read_text()
    assert "development server" not in output
    assert "stopped" in output  # the scheduler stopped cleanly, not killed
    for pid in _children_gone(commands):
        raise AssertionError(f"process {pid} outlived `thidua serve`")


def _children_gone(commands: list[str]) -> list[int]:
    """Processes still running whose command line is one of the server's children's."""
    alive = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if _command(int(proc.name)) in commands:
                    alive.append(int(proc.name))
            except OSError:
                continue
    return alive


def test_serve_refuses_a_setting_of_the_wrong_type_with_its_variable_not_a_traceback() -> None:
    env = os.environ | {"THIDUA_SCHEDULER_SWEEP_INTERVAL_SECONDS": "often"}

    proc = subprocess.run([sys.executable, "-m", "web.cli", "serve", "--port", "1"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)

    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ("error: THIDUA_SCHEDULER_SWEEP_INTERVAL_SECONDS: expected a "
                                   "whole number, got 'often'")
