"""What the site says about the registered services, generated from `dataservices.registry`.

The hook turns each registry entry into `ServiceFacts` (plain values: this package never imports the
services), and these render the parts of the site that list services: one nav section per service (its
overview, its changelog if written, its generated API reference), the table of services, and each
service's own settings. A service added to the registry appears in all of them with no edit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.blocks import code, table
from sitegen.layout import LayoutError

# Markers a hand-written page puts where a generated part belongs (invisible where the Markdown is read raw).
SERVICES_TABLE = "<!-- generated: registered services -->"
SERVICE_SETTINGS = "<!-- generated: settings of each registered service -->"


@dataclass(frozen=True, slots=True)
class Setting:
    """A setting only this service has: its environment variable, default and meaning."""

    variable: str
    default: str
    description: str


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """One registry entry, as the docs show it."""

    name: str
    title: str
    port: int
    env_prefix: str
    database: str
    scopes: tuple[str, ...]
    tables: tuple[str, ...]
    contract: Path  # the contract's root file
    calls: tuple[str, ...]
    settings: tuple[Setting, ...]

    @property
    def overview(self) -> str:
        return f"services/{self.name}/index.md"

    @property
    def changelog(self) -> str:
        return f"services/{self.name}/changelog.md"


def add_service_sections(nav: list[Any], services: Sequence[ServiceFacts], docs_dir: Path) -> None:
    """Put one section per service right after `services/index.md`, in the nav section that holds it."""
    section = _section_of(nav, "services/index.md")
    if section is None:
        raise LayoutError("mkdocs.yml: the nav must list services/index.md; each service's section follows it")
    position = section.index("services/index.md") + 1
    for service in services:
        if not (docs_dir / service.overview).is_file():
            raise LayoutError(f"docs/{service.overview}: every registered service has an overview page")
        pages: list[Any] = [service.overview]
        if (docs_dir / service.changelog).is_file():
            pages.append({"Changelog": service.changelog})
        section.insert(position, {service.title: pages})
        position += 1


def _section_of(items: list[Any], page: str) -> list[Any] | None:
    if page in items:
        return items
    for item in items:
        for value in item.values() if isinstance(item, dict) else ():
            if isinstance(value, list) and (found := _section_of(value, page)) is not None:
                return found
    return None


def services_table(services: Sequence[ServiceFacts], link_prefix: str, versions: dict[str, str]) -> str:
    """Markdown table of every registered service; links are relative to the page (`link_prefix`)."""
    rows = [
        (
            f"[{service.title}]({link_prefix}{service.name}/index.md)",
            ", ".join(code(name) for name in service.tables),
            f"{versions.get(service.name, '')} ([API reference]({link_prefix}{service.name}/api.md))",
            service.port,
            code(f"{service.env_prefix}*"),
            code(service.database),
            " ".join(code(scope) for scope in service.scopes),
            ", ".join(service.calls) or "none",
        )
        for service in services
    ]
    headers = ("service", "tables", "contract", "port", "settings", "default database", "scopes", "calls")
    return "\n".join(table(headers, rows))


def settings_sections(services: Sequence[ServiceFacts]) -> str:
    """For each service, its own settings beyond the ones every service has."""
    lines: list[str] = []
    for service in services:
        lines += [f"### {service.title} (`{service.env_prefix}*`)", ""]
        lines.append(
            f"Listens on port {service.port} and keeps its data in `{service.database}` unless told otherwise."
        )
        lines.append("")
        if service.settings:
            rows = [(code(s.variable), code(s.default), s.description) for s in service.settings]
            lines += table(("variable", "default", "meaning"), rows)
        else:
            lines += ["It has no settings beyond those every service has.", ""]
    return "\n".join(lines)


def fill(markdown: str, marker: str, text: str) -> str:
    """Put `text` where the page has `marker`; a page without it is left alone."""
    return markdown.replace(marker, text)
