"""Every command on every hostile case: the documented exit code, a finding that says why, no traceback,
nothing of the outside files shown, nothing fetched, and bounded work (counted, not timed)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.contractkit.hostile.commands import COMMANDS, run
from tests.contractkit.hostile.corpus import Case, Tree, build, cases
from tests.fixtures.work_budget import work_budget

CASES = cases()
# Five times what the costliest case needs (a million calls: validate on 600 chained schemas); the
# alias bomb needed billions.
CALL_BUDGET = 5_000_000
MEMORY_BUDGET = 256 * 1024 * 1024
# `file:line: pointer: message`, the shape of every finding that stops a command.
LOCATED = re.compile(r"^.+:\d+: /.*: .", re.MULTILINE)


@dataclass
class Listener:
    """A TCP socket on 127.0.0.1 that counts the connections anything makes to it."""

    port: int
    connections: int = 0


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    found = Listener(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            found.connections += 1
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory, listener: Listener) -> Tree:
    return build(tmp_path_factory.mktemp("corpus"), listener.port)


def test_the_corpus_covers_what_the_issue_names() -> None:
    names = {case.name for case in CASES}
    for needed in (
        "ref-climbs-out-of-the-repository",
        "ref-absolute-path",
        "ref-file-url",
        "ref-dev-zero",
        "ref-dev-urandom",
        "ref-directory",
        "ref-fifo",
        "ref-symlink-out-of-the-repository",
        "yaml-alias-bomb",
        "yaml-deep-flow-nesting",
        "huge-file",
        "too-many-files",
        "ref-loop-across-two-files",
        "path-item-not-an-object",
        "ref-to-a-number",
    ):
        assert needed in names
    for case in CASES:
        assert set(case.exit) == set(COMMANDS), case.name
        assert all(code in (0, 1, 2) for code in case.exit.values()), case.name


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_command_on_hostile_case(case: Case, command: str, tree: Tree, listener: Listener) -> None:
    before = listener.connections
    with work_budget(CALL_BUDGET) as spent:
        outcome = run(command, tree.contract(case), tree.base, case.env)
    assert outcome.escaped is None, f"{type(outcome.escaped).__name__}: {outcome.escaped}"
    assert outcome.exit_code == case.exit[command], outcome.output
    if case.must_report(command):
        assert case.finding in outcome.output, outcome.output
    if outcome.exit_code == 2:
        assert LOCATED.search(outcome.output), outcome.output
    for secret in tree.secrets():
        assert secret not in outcome.output, f"{command} showed outside content"
    assert listener.connections == before, f"{command} opened a connection"
    assert spent.peak < MEMORY_BUDGET, f"{spent.peak:,} bytes"
