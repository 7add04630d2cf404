"""The sources the generated pages read: the bundled contracts and the error catalogue.

Contracts are bundled with `contractkit.bundle` (one document, local refs only), exactly as the
services load them, so the API reference shows what the services serve.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractkit.bundle import bundle
from contractkit.discovery import find_contracts
from contractkit.loading import LoadPolicy, load_document
from contractkit.loading.pointer import local_target

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TYPE_SLUG = re.compile(r"/errors/([a-z0-9-]+)/$")
_CODE_IN_TEXT = re.compile(r"`([A-Z][A-Z0-9_]+)`")


@dataclass(frozen=True, slots=True)
class Contract:
    """One service's bundled contract."""

    service: str
    source: str  # the root file, relative to the repository
    document: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.document.get("info", {}).get("title", self.service))

    @property
    def version(self) -> str:
        return str(self.document.get("info", {}).get("version", ""))

    @property
    def api_page(self) -> str:
        """Where the service's generated API reference lives in the docs."""
        return f"services/{self.service}/api.md"


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a contract, with the parameters its path item shares."""

    method: str
    path: str
    spec: dict[str, Any]
    shared_parameters: tuple[Any, ...]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.path}"))


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One entry of the error catalogue (`contracts/shared/problem-types.yaml`)."""

    slug: str
    title: str
    status: int
    code: str
    services: tuple[str, ...]
    description: str
    resolution: str

    @property
    def page(self) -> str:
        return f"errors/{self.slug}.md"


def load_contracts(services: Sequence[tuple[str, Path]], contracts_dir: Path, repository: Path) -> list[Contract]:
    """The contract of each registered service (name, root file), bundled, in the registry's order.

    A contract under ``contracts_dir`` that no registered service serves is refused: its reference
    would have no section to live in. The repository is the root the files may come from, named
    rather than found, so the site also builds from a copy without `.git`.
    """
    served = {path.resolve() for _, path in services}
    unserved = [path for path in find_contracts([contracts_dir]) if path.resolve() not in served]
    if unserved:
        names = ", ".join(path.resolve().relative_to(repository.resolve()).as_posix() for path in unserved)
        raise ValueError(f"{names}: no registered service serves this contract; add its entry to dataservices.registry")
    policy = LoadPolicy(root=repository)
    return [
        Contract(
            service=name,
            source=path.resolve().relative_to(repository.resolve()).as_posix(),
            document=bundle(path, policy),
        )
        for name, path in services
    ]


def load_catalogue(path: Path) -> dict[str, ProblemType]:
    """The error catalogue by slug, in the file's order."""
    raw: dict[str, dict[str, Any]] = load_document(path, LoadPolicy(root=path.parent)).data
    return {
        slug: ProblemType(
            slug=slug,
            title=str(entry["title"]),
            status=int(entry["status"]),
            code=str(entry["code"]),
            services=tuple(str(service) for service in entry.get("services", [])),
            description=str(entry["description"]),
            resolution=str(entry["resolution"]),
        )
        for slug, entry in raw.items()
    }


def operations(document: Mapping[str, Any]) -> Iterator[Operation]:
    """Every operation of a bundled document, in the order the contract lists them."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield Operation(method.upper(), path, item[method], tuple(item.get("parameters", [])))


def deref(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local refs (a bundled document has no others) to the object itself."""
    return local_target(document, node)[0]


def problem_slugs(document: Mapping[str, Any], response: Any, catalogue: Mapping[str, ProblemType]) -> list[str]:
    """The problem types a response documents: its examples' `type`s and the codes its text names.

    A `type` outside the catalogue is an error: every type an API returns must resolve to a page.
    """
    response = deref(document, response)
    by_code = {entry.code: slug for slug, entry in catalogue.items()}
    found: list[str] = []
    for example in _problem_examples(document, response):
        match = _TYPE_SLUG.search(str(example.get("type", "")))
        if match is None or match.group(1) not in catalogue:
            raise ValueError(f"problem type {example.get('type')!r} is not in the error catalogue")
        found.append(match.group(1))
    for code_name in _CODE_IN_TEXT.findall(str(response.get("description", ""))):
        if code_name in by_code:
            found.append(by_code[code_name])
    return list(dict.fromkeys(found))


def _problem_examples(document: Mapping[str, Any], response: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for media_type, media in (response.get("content") or {}).items():
        if "problem" not in media_type or not isinstance(media, dict):
            continue
        if isinstance(media.get("example"), dict):
            yield media["example"]
        for example in (media.get("examples") or {}).values():
            value = deref(document, example).get("value")
            if isinstance(value, dict):
                yield value


def problem_example(document: Mapping[str, Any], response: Any, slug: str) -> dict[str, Any] | None:
    """The response's example of the problem ``slug``, if it shows one."""
    for example in _problem_examples(document, deref(document, response)):
        if str(example.get("type", "")).endswith(f"/errors/{slug}/"):
            return example
    return None
