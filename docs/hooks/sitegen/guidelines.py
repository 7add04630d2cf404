"""The API guidelines, generated from the lint rule registry: one page per rule group and an index.

Each rule's page and anchor are the ones its `docs_url` names (`guidelines/<group>/#dsl-301`), so the
link `contractkit lint` prints with every finding always lands on the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sitegen import blocks


class RuleLike(Protocol):
    """What the pages need of a rule (`contractkit.lint.registry.Rule`)."""

    @property
    def id(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def statement(self) -> str: ...
    @property
    def rationale(self) -> str: ...
    @property
    def good_example(self) -> str: ...
    @property
    def bad_example(self) -> str: ...
    @property
    def review_only(self) -> bool: ...
    @property
    def group(self) -> str: ...
    @property
    def severity(self) -> object: ...
    @property
    def anchor(self) -> str: ...
    @property
    def docs_url(self) -> str: ...


class GroupLike(Protocol):
    """What the pages need of a rule group (`contractkit.lint.registry.Group`)."""

    @property
    def key(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """The rules that share a page."""

    slug: str
    title: str
    code: str  # "3xx"
    rules: tuple[RuleLike, ...]

    @property
    def page(self) -> str:
        return f"guidelines/{self.slug}.md"


def group_rules(rules: Sequence[RuleLike], groups: Sequence[GroupLike], site_url: str) -> list[RuleGroup]:
    """The registry's groups that have rules, in the registry's order, each with its rules by id.

    Refuses a rule whose `docs_url` is not the page and anchor generated for it here, so the link that
    `contractkit lint` prints with a finding always resolves.
    """
    found: list[RuleGroup] = []
    for group in groups:
        members = tuple(sorted((rule for rule in rules if rule.group == group.key), key=lambda rule: rule.id))
        for rule in members:
            expected = f"{site_url.rstrip('/')}/guidelines/{group.slug}/#{rule.anchor}"
            if rule.docs_url != expected or rule.anchor != rule.id.lower():
                raise ValueError(f"{rule.id}: docs_url is {rule.docs_url!r}, but its section is {expected!r}")
        if members:
            found.append(RuleGroup(slug=group.slug, title=group.title, code=group.key, rules=members))
    placed = sum(len(group.rules) for group in found)
    if placed != len(rules):
        raise ValueError(f"{len(rules) - placed} rules belong to no group of the guide")
    return found


def index_page(groups: Sequence[RuleGroup]) -> str:
    """``guidelines/index.md``: how the guide works and every rule in one table."""
    rows = [
        (
            f"[{rule.id}]({group.slug}.md#{rule.anchor})",
            rule.level,
            _badge(rule),
            blocks.one_line(rule.statement),
            f"[{group.title}]({group.slug}.md)",
        )
        for group in groups
        for rule in group.rules
    ]
    total = sum(len(group.rules) for group in groups)
    checked = sum(1 for group in groups for rule in group.rules if not rule.review_only)
    lines = [
        "# API guidelines",
        "",
        "The rules every data-service contract follows. Each rule has a permanent number (`DSL-` and three"
        " digits; the hundreds say its group), a level (**MUST** or **SHOULD**), a rationale, and a passing and"
        " a failing example. Numbers are never reused: a retired rule keeps its number.",
        "",
        f"Of the {total} rules, {checked} are checked by `contractkit lint` on every pull request; the others"
        " are *review only* and belong to the [review checklist](review-checklist.md). A finding of"
        " `contractkit lint` links to the rule's section below; an `error` fails the build, a `warning` does"
        " not. A justified exception is a waiver in `contracts/waivers.yaml` (rule, file, pointer, reason,"
        " owner, expiry), reviewed like code.",
        "",
        "These pages are generated from the rule registry (`contractkit.lint.registry`) at every build of"
        " the site, so they always describe the rules the linter runs.",
        "",
        "## Groups",
        "",
        *blocks.table(
            ["group", "rules", "topic"],
            [(group.code, str(len(group.rules)), f"[{group.title}]({group.slug}.md)") for group in groups],
        ),
        "## All rules",
        "",
        *blocks.table(["rule", "level", "severity", "statement", "group"], rows),
    ]
    return "\n".join(lines) + "\n"


def group_page(group: RuleGroup) -> str:
    """``guidelines/<group>.md``: every rule of one group, each under its own anchor."""
    lines = [
        f"# {group.title}",
        "",
        f"Rules `DSL-{group.code}` of the [API guidelines](index.md).",
        "",
        *blocks.table(
            ["rule", "level", "statement"],
            [(f"[{rule.id}](#{rule.anchor})", rule.level, blocks.one_line(rule.statement)) for rule in group.rules],
        ),
    ]
    for rule in group.rules:
        lines += _rule_section(rule)
    return "\n".join(lines) + "\n"


def _rule_section(rule: RuleLike) -> list[str]:
    checked = "review only" if rule.review_only else "checked by `contractkit lint`"
    lines = [
        f"## {rule.id} {_words(rule.slug)} {{#{rule.anchor}}}",
        "",
        f"{_badge(rule)} **{rule.level}** · {checked} · slug {blocks.code(rule.slug)}",
        "",
        rule.statement.strip(),
        "",
        f"**Why:** {rule.rationale.strip()}",
        "",
    ]
    for label, example in (("Passes", rule.good_example), ("Fails", rule.bad_example)):
        if example.strip():
            lines += [f'=== "{label}"', "", *blocks.code_block("yaml", example, indent=4), ""]
    return lines


def _badge(rule: RuleLike) -> str:
    """The severity a finding of the rule has; review-only rules produce no findings."""
    if rule.review_only:
        return '<span class="rule-badge">review</span>'
    severity = str(rule.severity)
    return f'<span class="rule-badge rule-badge--{severity}">{severity}</span>'


def _words(slug: str) -> str:
    text = slug.replace("-", " ")
    return text[:1].upper() + text[1:]
