"""The guideline's rules: permanent ids, groups, docs addresses, and the one registry every tool reads.

The docs site renders the guideline pages from :func:`all_rules`, and ``contractkit lint`` runs the
checks of the same registry, so a rule cannot exist in one place only. Run
``python -m contractkit.lint.registry next 3xx`` for the next free number of a group; it fails when
two rules share an id or a slug.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from contractkit.lint.context import LintContext
    from contractkit.lint.finding import Finding

Check = Callable[["LintContext"], Iterator["Finding"]]
Level = Literal["MUST", "SHOULD"]


class Severity(StrEnum):
    """How bad a finding is; ``--fail-on`` compares against it."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        """Higher is worse, for comparisons with ``--fail-on``."""
        return 2 if self is Severity.ERROR else 1


@dataclass(frozen=True, slots=True)
class Group:
    """A hundred of rule numbers about one subject; one docs page each."""

    key: str  # "3xx"
    slug: str  # the docs page, e.g. "data-types"
    title: str


@dataclass(frozen=True, slots=True)
class Guide:
    """Where the guideline lives and how its rules are grouped (the one place that says so)."""

    base_url: str
    groups: tuple[Group, ...]

    def group(self, key: str) -> Group:
        """The group with key ``"3xx"``; raises ``KeyError``."""
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(key)


GUIDE = Guide(
    base_url="https://dataservices.example.com/guidelines/",
    groups=(
        Group("1xx", "document", "Document"),
        Group("2xx", "naming", "Naming"),
        Group("3xx", "data-types", "Data types"),
        Group("4xx", "responses-and-errors", "Responses and errors"),
        Group("5xx", "requests-and-collections", "Requests and collections"),
        Group("6xx", "security-and-operations", "Security and operations"),
        Group("7xx", "versioning-and-lifecycle", "Versioning and lifecycle"),
    ),
)

# Numbers of rules that were removed. They stay here so that no new rule ever takes one of them:
# an id in an old CI log or waiver must never come to mean something else.
RETIRED_IDS: frozenset[str] = frozenset()

_ID = re.compile(r"^DSL-([1-7])(\d\d)$")
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class RegistryError(ValueError):
    """A rule is malformed, or two rules share an id or a slug."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the guideline: what it says, why, an example of each side, and whether a machine checks it."""

    id: str
    slug: str
    level: Level
    statement: str
    rationale: str
    good_example: str
    bad_example: str
    review_only: bool = False

    def __post_init__(self) -> None:
        if not _ID.match(self.id) or self.id.endswith("00"):
            raise RegistryError(f"{self.id!r}: a rule id is DSL- and three digits, group 1-7, never NN00")
        if not _SLUG.match(self.slug):
            raise RegistryError(f"{self.id}: slug {self.slug!r} must be kebab-case")
        if self.level not in ("MUST", "SHOULD"):
            raise RegistryError(f"{self.id}: level must be MUST or SHOULD, not {self.level!r}")
        for name in ("statement", "rationale", "good_example", "bad_example"):
            if not getattr(self, name).strip():
                raise RegistryError(f"{self.id}: {name} must not be empty")

    @property
    def group(self) -> str:
        """The group key, e.g. ``"3xx"``."""
        return f"{self.id[4]}xx"

    @property
    def group_title(self) -> str:
        """The group's title, e.g. ``"Data types"``."""
        return GUIDE.group(self.group).title

    @property
    def group_slug(self) -> str:
        """The group's docs page, e.g. ``"data-types"``."""
        return GUIDE.group(self.group).slug

    @property
    def severity(self) -> Severity:
        """MUST rules report errors, SHOULD rules warnings."""
        return Severity.ERROR if self.level == "MUST" else Severity.WARNING

    @property
    def anchor(self) -> str:
        """The rule's anchor on its group page, e.g. ``"dsl-301"``."""
        return self.id.lower()

    @property
    def docs_url(self) -> str:
        """The rule's page: ``<base>/<group-slug>/#dsl-nnn``."""
        return f"{GUIDE.base_url}{self.group_slug}/#{self.anchor}"


@dataclass(frozen=True, slots=True)
class Entry:
    """A registered rule and its check (``None`` for review-only rules)."""

    rule: Rule
    check: Check | None


class Registry:
    """Rules by id, refusing duplicate ids or slugs, retired ids, and checks that do not match the rule."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._slugs: dict[str, str] = {}

    def register(self, rule: Rule, check: Check | None, module_name: str | None = None) -> None:
        """Add ``rule``; raises :class:`RegistryError` when it clashes with the rules already here."""
        if rule.id in self._entries:
            raise RegistryError(f"{rule.id} is registered twice")
        if rule.id in RETIRED_IDS:
            raise RegistryError(f"{rule.id} was retired; numbers are never reused")
        if rule.slug in self._slugs:
            raise RegistryError(f"{rule.id} and {self._slugs[rule.slug]} share the slug {rule.slug!r}")
        if rule.review_only != (check is None):
            kind = "has a check but is marked review-only" if check else "has no check and is not marked review-only"
            raise RegistryError(f"{rule.id} {kind}")
        expected = f"dsl{rule.id[4:]}_{rule.slug.replace('-', '_')}"
        if module_name is not None and module_name.rsplit(".", 1)[-1] != expected:
            raise RegistryError(f"{rule.id} must live in a module named {expected}, not {module_name}")
        self._entries[rule.id] = Entry(rule, check)
        self._slugs[rule.slug] = rule.id

    def register_module(self, module: ModuleType) -> None:
        """Register a rule module: its ``RULE`` and, unless review-only, its ``check``."""
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise RegistryError(f"{module.__name__} has no RULE")
        self.register(rule, getattr(module, "check", None), module.__name__)

    def rules(self) -> list[Rule]:
        """Every rule, by id."""
        return [self._entries[key].rule for key in sorted(self._entries)]

    def entries(self) -> list[Entry]:
        """Every rule with its check, by id."""
        return [self._entries[key] for key in sorted(self._entries)]

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this id, if registered."""
        entry = self._entries.get(rule_id)
        return entry.rule if entry else None

    def next_free(self, group: str) -> str:
        """The next id never used in ``group`` ("3xx"): one past the highest registered or retired."""
        GUIDE.group(group)
        prefix = f"DSL-{group[0]}"
        used = [int(key[5:]) for key in (*self._entries, *RETIRED_IDS) if key.startswith(prefix)]
        number = max(used, default=0) + 1
        if number > 99:
            raise RegistryError(f"group {group} is full")
        return f"{prefix}{number:02d}"


def build_registry(modules: Sequence[ModuleType]) -> Registry:
    """A registry of ``modules`` (rule modules), in order; raises :class:`RegistryError`."""
    registry = Registry()
    for module in modules:
        registry.register_module(module)
    return registry


@cache
def default_registry() -> Registry:
    """The registry of every rule listed in :mod:`contractkit.lint.rules`."""
    from contractkit.lint.rules import MODULES  # imported here: rule modules import this module

    return build_registry(MODULES)


def all_rules() -> list[Rule]:
    """Every rule of the guideline, by id (what the docs site renders)."""
    return default_registry().rules()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m contractkit.lint.registry next 3xx | list | check``: registry chores for make and reviewers."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        registry = default_registry()
        if args[:1] == ["next"] and len(args) == 2:
            print(registry.next_free(args[1]))
        elif args == ["list"]:
            for rule in registry.rules():
                kind = "review-only" if rule.review_only else "checked"
                print(f"{rule.id}\t{rule.slug}\t{rule.severity}\t{kind}")
        elif args == ["check"]:
            print(f"{len(registry.rules())} rules, ids and slugs unique")
        else:
            print("usage: python -m contractkit.lint.registry next 1xx..7xx | list | check", file=sys.stderr)
            return 2
    except (RegistryError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Run through the imported module: rule modules import `contractkit.lint.registry`, and their
    # `Rule` must be the same class as the one this registry checks against, not `__main__.Rule`.
    from contractkit.lint.registry import main as _main

    raise SystemExit(_main())
