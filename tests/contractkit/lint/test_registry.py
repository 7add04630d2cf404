"""The registry: permanent, well-formed ids; one module per rule; what the docs site reads from it."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import pytest
import yaml

import contractkit.lint
from contractkit.lint import registry as registry_module
from contractkit.lint.registry import GUIDE, Registry, RegistryError, Rule, all_rules, build_registry, default_registry
from contractkit.lint.rules import MODULES


def _rule(rule_id: str = "DSL-399", slug: str = "some-rule", **changes: object) -> Rule:
    fields: dict[str, object] = {
        "id": rule_id,
        "slug": slug,
        "level": "MUST",
        "statement": "A statement.",
        "rationale": "A reason.",
        "good_example": "a: 1\n",
        "bad_example": "a: 2\n",
        "review_only": True,
    }
    fields.update(changes)
    return Rule(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad_id", ["DSL-30", "DSL-801", "DSL-000", "DSL-300", "dsl-301", "DSL-3011"])
def test_malformed_ids_are_refused(bad_id: str) -> None:
    with pytest.raises(RegistryError):
        _rule(bad_id)


@pytest.mark.parametrize("changes", [{"slug": "Some_Rule"}, {"level": "MAY"}, {"statement": " "}])
def test_malformed_rules_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(RegistryError):
        _rule(**changes)


def test_duplicate_ids_and_slugs_are_refused() -> None:
    registry = Registry()
    registry.register(_rule("DSL-398", "first"), None)
    with pytest.raises(RegistryError, match="registered twice"):
        registry.register(_rule("DSL-398", "second"), None)
    with pytest.raises(RegistryError, match="share the slug"):
        registry.register(_rule("DSL-397", "first"), None)


def test_retired_ids_are_never_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "RETIRED_IDS", frozenset({"DSL-398"}))
    registry = Registry()
    with pytest.raises(RegistryError, match="retired"):
        registry.register(_rule("DSL-398"), None)
    registry.register(_rule("DSL-396"), None)
    assert registry.next_free("3xx") == "DSL-399"


def test_a_check_must_match_the_review_only_mark_and_the_module_name() -> None:
    registry = Registry()
    with pytest.raises(RegistryError, match="has no check"):
        registry.register(_rule(review_only=False), None)
    with pytest.raises(RegistryError, match="has a check"):
        registry.register(_rule(), lambda ctx: iter(()))
    with pytest.raises(RegistryError, match="dsl399_some_rule"):
        registry.register(_rule(), None, "contractkit.lint.rules.dsl399_other")
    module = ModuleType("contractkit.lint.rules.dsl399_some_rule")
    with pytest.raises(RegistryError, match="no RULE"):
        build_registry([module])


def test_every_rule_module_is_listed_once_and_the_registry_builds() -> None:
    assert len(set(MODULES)) == len(MODULES)
    rules = all_rules()
    assert len(rules) == len(MODULES) == len({rule.slug for rule in rules})
    assert [rule.id for rule in rules] == sorted(rule.id for rule in rules)


def test_next_free_number_per_group() -> None:
    registry = default_registry()
    used = {rule.id for rule in registry.rules()}
    for group in GUIDE.groups:
        free = registry.next_free(group.key)
        assert free not in used
        assert free.startswith(f"DSL-{group.key[0]}")
    with pytest.raises(KeyError):
        registry.next_free("8xx")


def test_the_make_helper_prints_the_next_free_number() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-W", "error", "-m", "contractkit.lint.registry", *args]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    done = run("next", "3xx")
    assert (done.returncode, done.stdout.strip()) == (0, default_registry().next_free("3xx"))
    assert run("check").returncode == 0
    assert len(run("list").stdout.splitlines()) == len(all_rules())
    assert run("next", "9xx").returncode == 1
    assert run("bogus").returncode == 2


def test_what_the_docs_site_reads() -> None:
    slugs = {group.key: group.slug for group in GUIDE.groups}
    for rule in all_rules():
        assert rule.group == f"{rule.id[4]}xx"
        assert rule.group_title == GUIDE.group(rule.group).title
        assert rule.severity == ("error" if rule.level == "MUST" else "warning")
        assert rule.docs_url == f"https://dataservices.example.com/guidelines/{slugs[rule.group]}/#{rule.id.lower()}"
        assert rule.statement.strip()
        assert rule.rationale.strip()
        yaml.safe_load(rule.good_example)
        yaml.safe_load(rule.bad_example)


def test_every_group_has_rules_and_both_severities_exist() -> None:
    groups = {rule.group for rule in all_rules()}
    assert groups == {group.key for group in GUIDE.groups}
    assert {rule.severity for rule in all_rules()} == {"error", "warning"}
    assert any(rule.review_only for rule in all_rules())


def test_public_api_is_pinned() -> None:
    assert contractkit.lint.__all__ == [
        "Finding",
        "LintOutcome",
        "LintReport",
        "LintRequest",
        "Result",
        "Rule",
        "Severity",
        "all_rules",
        "lint",
        "lint_contracts",
        "lint_workspace",
    ]
    for name in contractkit.lint.__all__:
        assert getattr(contractkit.lint, name) is not None
