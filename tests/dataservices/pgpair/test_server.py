"""One server's plumbing: its settings file, and telling a live postmaster from a dead or zombie one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from dataservices.pgpair.server import free_port, process_alive, set_settings


def test_settings_replace_earlier_lines_of_the_same_name_and_keep_the_others(tmp_path: Path) -> None:
    conf = tmp_path / "postgresql.auto.conf"
    conf.write_text("# managed by ALTER SYSTEM\nport = '5432'\nprimary_conninfo = 'host=127.0.0.1'\n")
    set_settings(conf, {"port": "6543", "unix_socket_directories": "/tmp/it's here"})
    assert conf.read_text().splitlines() == [
        "# managed by ALTER SYSTEM",
        "primary_conninfo = 'host=127.0.0.1'",
        "port = '6543'",
        "unix_socket_directories = '/tmp/it''s here'",
    ]


def test_an_exited_process_not_yet_reaped_counts_as_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        # Without wait() the exited child stays a zombie, as postmasters do under a PID 1 that never reaps.
        for _ in range(500):
            if not process_alive(child.pid):
                break
            time.sleep(0.01)
        assert not process_alive(child.pid)
        assert Path(f"/proc/{child.pid}").exists()  # still in the process table: a zombie
    finally:
        child.wait()
    assert not process_alive(child.pid)


def test_a_running_process_is_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert process_alive(child.pid)
    finally:
        child.kill()
        child.wait()


def test_a_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
