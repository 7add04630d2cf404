"""The public API is what `contractkit.__all__` lists, and importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import contractkit

PUBLIC = [
    "BundleError",
    "Document",
    "LoadError",
    "ParseFailure",
    "Position",
    "Problem",
    "RefError",
    "RefSite",
    "Resolved",
    "UnreadableFile",
    "VerifyOptions",
    "VerifyResult",
    "Workspace",
    "bundle_workspace",
    "dump_json",
    "dump_yaml",
    "find_contracts",
    "load_document",
    "validate_contract",
    "validate_workspace",
]


def test_all_is_pinned_and_every_name_resolves() -> None:
    assert contractkit.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(contractkit, name) is not None, name


def test_subpackages_are_never_shadowed_by_functions() -> None:
    script = (
        "import inspect, contractkit; "
        "print(inspect.ismodule(contractkit.verify), inspect.ismodule(contractkit.bundle), "
        "callable(contractkit.bundle.bundle), callable(contractkit.verify.verify))"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["True"] * 4


def test_bundling_does_not_import_the_heavy_tools() -> None:
    # Services bundle their contract at start-up; they must not pay for Schemathesis or the validator.
    script = (
        "import sys, contractkit, contractkit.bundle; "
        "print(sorted(m for m in ('schemathesis', 'openapi_spec_validator', 'typer') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_console_script_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from contractkit.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    for command in ("validate", "bundle", "verify"):
        assert command in result.stdout
