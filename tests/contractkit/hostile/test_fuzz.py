"""Hypothesis mutates contracts (structure, types, references, YAML features) and every command must cope.

For each drawn contract every command runs in-process: it ends with a documented exit code, lets no
exception escape, prints nothing of the file outside the root, and stays within a counted budget of
calls and memory (never a wall-clock limit). `verify` is run up to where it would start sending
requests (its loading step), then as a command only if that step refuses the contract.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contractkit.hostile.commands import COMMANDS, run
from tests.contractkit.hostile.contracts import SHARED, Contract, contracts, render_yaml, seed
from tests.fixtures.work_budget import work_budget

SECRET = "fuzz-secret-81c4e2"
# Each example is a few kilobytes; a command on it makes at most a few hundred thousand calls. The
# budget is far above that and far below what a bomb or a loop would need.
CALL_BUDGET = 3_000_000
MEMORY_BUDGET = 256 * 1024 * 1024
LOCATED = re.compile(r"^.+:\d+: /.*: .", re.MULTILINE)
# Where the contract is drawn for: the outside folder sits next to the root folder in every example.
OUTSIDE = "/nonexistent-until-written"


@st.composite
def _cases(draw: st.DrawFn) -> Contract:
    return draw(contracts(OUTSIDE))


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(contract=_cases())
def test_every_command_copes_with_a_mutated_contract(contract: Contract) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        outside = folder / "outside"
        outside.mkdir()
        (outside / "secret.yaml").write_text(f"Money:\n  description: {SECRET}\n", encoding="utf-8")
        (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
        root = folder / "root"
        (root / "shared").mkdir(parents=True)
        name = "openapi.json" if contract.as_json else "openapi.yaml"
        texts = {
            root / name: contract.root_text().replace(OUTSIDE, str(outside)),
            root / "shared" / "common.yaml": contract.shared_text().replace(OUTSIDE, str(outside)),
            root / "base.yaml": render_yaml(seed(str(outside))),
        }
        for path, text in texts.items():
            path.write_text(text, encoding="utf-8")
        for command in COMMANDS:
            with work_budget(CALL_BUDGET) as spent:
                outcome = run(command, root / name, root / "base.yaml")
            assert outcome.escaped is None, f"{command}: {type(outcome.escaped).__name__}: {outcome.escaped}"
            assert outcome.exit_code in (0, 1, 2), f"{command}: exit {outcome.exit_code}"
            if outcome.exit_code == 2:
                assert LOCATED.search(outcome.output), f"{command}: {outcome.output}"
            assert SECRET not in outcome.output, f"{command} showed the outside file"
            assert "root:x:0:0" not in outcome.output, f"{command} showed /etc/passwd"
            assert spent.peak < MEMORY_BUDGET, f"{command}: {spent.peak:,} bytes"


def test_the_seed_contract_is_clean_for_every_command(tmp_path: Path) -> None:
    # Mutations start from a contract every command accepts, so what they break is what they changed.
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "common.yaml").write_text(render_yaml(SHARED), encoding="utf-8")
    contract = tmp_path / "openapi.yaml"
    contract.write_text(render_yaml(seed(str(tmp_path))), encoding="utf-8")
    for command in ("validate", "bundle", "verify"):
        outcome = run(command, contract, contract)
        assert (outcome.exit_code, outcome.escaped) == (0, None), outcome.output
