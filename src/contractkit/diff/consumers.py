"""Consumer impact: which interactions of the consumer pacts exercise what a finding changes.

Pacts (V2 to V4 JSON, as pact-python writes them into ``contracts/pacts/``) name a consumer, a provider and
interactions. A provider maps to a contract by convention: ``<service>-service`` is
``contracts/<service>/openapi.yaml``; a contract can say otherwise with ``info.x-pact-provider``. An
interaction exercises the operation whose method matches and whose path template matches its path segment by
segment (a template parameter matches any one segment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contractkit.diff.findings import Finding, Impact, Scope
from contractkit.diff.operations import OperationKey
from contractkit.loading import LimitExceeded, LoadError, LoadPolicy, load_document

_RULE_TOKEN = re.compile(r"\.([^.\[]+)|\['([^']*)'\]|\[(\*|\d+)\]")


@dataclass(frozen=True, slots=True)
class Interaction:
    """What one pact interaction sends and expects, reduced to what impact matching needs."""

    consumer: str
    provider: str
    description: str
    method: str
    path: str
    status: str | None
    query: frozenset[str]
    headers: frozenset[str]
    response_headers: frozenset[str]
    bodies: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)


def provider_name(info: Any, contract: Path) -> str:
    """The pact provider name of a contract: ``info.x-pact-provider``, else ``<folder>-service``."""
    named = info.get("x-pact-provider") if isinstance(info, dict) else None
    return named if isinstance(named, str) and named else f"{contract.parent.name}-service"


def load_pacts(directory: Path | None, policy: LoadPolicy | None = None) -> tuple[list[Interaction], list[str]]:
    """Every interaction of every pact file in ``directory``, and a note for each file that was skipped.

    Pacts are read like contracts (see :class:`~contractkit.loading.LoadPolicy`): a pull request can
    add one that is a symlink out of the repository or to a device, which is skipped with its reason.
    """
    if directory is None or not directory.is_dir():
        return [], []
    interactions: list[Interaction] = []
    notes: list[str] = []
    for path in sorted(directory.glob("*.json")):
        try:
            pact = load_document(path, policy).data
        except LimitExceeded:
            raise
        except LoadError as exc:
            notes.append(f"{path}: skipped, not a readable pact: {exc.message}")
            continue
        try:
            interactions.extend(_interactions(pact))
        except (ValueError, AttributeError, TypeError) as exc:
            notes.append(f"{path}: skipped, not a readable pact ({exc.__class__.__name__})")
    return interactions, notes


def _name(party: Any) -> str:
    return str(party.get("name", "?")) if isinstance(party, dict) else "?"


def _body(message: dict[str, Any]) -> Any:
    body = message.get("body")
    # V4 wraps bodies as {content, contentType, encoded}; earlier versions hold the JSON itself.
    return body.get("content") if isinstance(body, dict) and "content" in body and "contentType" in body else body


def _rule_paths(message: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    rules = message.get("matchingRules")
    if not isinstance(rules, dict):
        return ()
    body = rules.get("body")
    # V2 keys every rule by `$.body.<path>` at the top level.
    keys = (
        body.keys()
        if isinstance(body, dict)
        else (key.replace("$.body", "$", 1) for key in rules if key.startswith("$.body"))
    )
    return tuple(_tokens(key) for key in keys)


def _tokens(rule: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for name, quoted, index in _RULE_TOKEN.findall(rule.removeprefix("$")):
        tokens.append("[]" if index else name or quoted)
    return tuple(tokens)


def _interactions(pact: dict[str, Any]) -> Iterable[Interaction]:
    consumer, provider = _name(pact.get("consumer")), _name(pact.get("provider"))
    for item in pact.get("interactions") or ():
        request, response = item.get("request") or {}, item.get("response") or {}
        status = response.get("status")
        query = request.get("query")
        yield Interaction(
            consumer,
            provider,
            str(item.get("description", "")),
            str(request.get("method", "")).upper(),
            urlsplit(str(request.get("path", ""))).path,
            None if status is None else str(status),
            frozenset(query) if isinstance(query, dict) else frozenset(),
            frozenset(name.lower() for name in request.get("headers") or {}),
            frozenset(name.lower() for name in response.get("headers") or {}),
            {"request": _body(request), "response": _body(response)},
            {"request": _rule_paths(request), "response": _rule_paths(response)},
        )


class ConsumerIndex:
    """The interactions of one provider, each matched to an operation of the base contract."""

    def __init__(self, interactions: list[Interaction], operations: Iterable[OperationKey], prefixes: Iterable[str]):
        # Literal segments beat parameters: `/v1/coupons/search` before `/v1/coupons/{}`.
        templates = sorted(set(operations), key=lambda key: -sum(part != "{}" for part in key[1].split("/")))
        self._by_operation: dict[OperationKey, list[Interaction]] = {}
        self.interactions = interactions
        for interaction in interactions:
            key = _operation_of(interaction, templates, list(prefixes))
            if key is not None:
                self._by_operation.setdefault(key, []).append(interaction)

    def impacts(self, finding: Finding) -> tuple[Impact, ...]:
        """The interactions that exercise what ``finding`` changes; the ones naming its field come first."""
        scope = finding.scope
        candidates = self.interactions if scope.operation is None else self._by_operation.get(scope.operation, [])
        named: list[Impact] = []
        others: list[Impact] = []
        for interaction in candidates:
            if scope.part == "response" and not _status_matches(scope.status, interaction.status):
                continue
            uses = _uses(interaction, scope, finding)
            impact = Impact(interaction.consumer, interaction.description, uses)
            (named if uses else others).append(impact)
        return tuple(named + others)


def _operation_of(interaction: Interaction, templates: list[OperationKey], prefixes: list[str]) -> OperationKey | None:
    for prefix in ["", *prefixes]:
        if prefix and not interaction.path.startswith(prefix + "/"):
            continue
        segments = interaction.path[len(prefix) :].split("/")
        for method, template in templates:
            if method != interaction.method:
                continue
            parts = template.split("/")
            if len(parts) == len(segments) and all(
                p == s or (p == "{}" and s) for p, s in zip(parts, segments, strict=True)
            ):
                return method, template
    return None


def _status_matches(wanted: str | None, status: str | None) -> bool:
    if wanted is None or status is None or wanted == "default":
        return True
    return wanted == status or (wanted.endswith("XX") and status[:1] == wanted[:1])


def _uses(interaction: Interaction, scope: Scope, finding: Finding) -> str | None:
    """The parameter or field of ``finding`` that ``interaction`` names, if it names one."""
    if scope.parameter is not None:
        location, name = scope.parameter
        headers = interaction.response_headers if scope.part == "response" else interaction.headers
        named = (
            location == "path"
            or (location == "query" and name in interaction.query)
            or (location == "header" and name.lower() in headers)
        )
        if scope.fields == ((),) or not finding.field:
            return name if named else None
    if scope.part is None:
        return None
    names = [finding.field or "", *finding.also]
    for shown, wanted in zip(names, scope.fields, strict=False):
        if wanted and _names_field(interaction, scope.part, wanted):
            return shown
    return None


def _names_field(interaction: Interaction, part: str, wanted: tuple[str, ...]) -> bool:
    if _has(interaction.bodies.get(part), wanted):
        return True
    return any(
        rule[: len(wanted)] == wanted or wanted[: len(rule)] == rule for rule in interaction.rules.get(part, ()) if rule
    )


def _has(body: Any, tokens: tuple[str, ...]) -> bool:
    if not tokens:
        return True
    token, rest = tokens[0], tokens[1:]
    if token == "[]":
        return isinstance(body, list) and any(_has(item, rest) for item in body)
    if token == "*":
        return isinstance(body, dict) and any(_has(item, rest) for item in body.values())
    return isinstance(body, dict) and token in body and _has(body[token], rest)


def template_prefixes(servers: Any) -> list[str]:
    """The path parts of the contract's server URLs (``/api`` of ``https://x/api``): pacts' paths include them."""
    found = []
    for server in servers if isinstance(servers, list) else ():
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(url, str):
            path = urlsplit(url).path.rstrip("/")
            if path and "{" not in path:
                found.append(path)
    return found
