"""MkDocs hook: the pages generated from the repository's sources, and the vendored Mermaid.

- ``on_config`` reads the sources (the lint rule registry, the kit's promises, the service registry
  and each service's bundled contract, the error catalogue), renders every generated page, adds a
  nav section per registered service under *Services*, and lists each generated page in the nav right
  after the page that introduces its section: rule groups after ``guidelines/index.md``, a service's
  API reference after ``services/<service>/index.md``, problem pages after ``errors/index.md``.
- ``on_files`` adds those pages with ``File.generated`` (so search indexes them and the strict
  build checks their links), and Mermaid's script and license, fetched once with npm.
- ``on_page_markdown`` fills the markers hand-written pages leave for the table of services and each
  service's own settings (``sitegen/services.py``).

The renderers live in the ``sitegen`` package beside this file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# `mkdocs serve` loads this hook anew on every rebuild; forget the modules an earlier build imported so
# an edited renderer or lint rule shows up without restarting the server.
_RELOADED = ("contractkit.lint", "contractkit.kit")
for _name in [n for n in sys.modules if n.split(".")[0] == "sitegen" or n.startswith(_RELOADED)]:
    del sys.modules[_name]

from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from sitegen import services  # noqa: E402
from sitegen.generate import generate_pages  # noqa: E402
from sitegen.layout import published_url  # noqa: E402
from sitegen.vendor import LICENSE, SCRIPT, ensure_mermaid  # noqa: E402

_pages: dict[str, str] = {}
_vendored: dict[str, Path] = {}
_services: list[services.ServiceFacts] = []
_versions: dict[str, str] = {}


def registered_services(root: Path) -> list[services.ServiceFacts]:
    """The registry's entries as the docs show them, with the contracts of this checkout."""
    from dataservices.common.settings import ServiceSettings
    from dataservices.registry import SERVICES

    facts = []
    for spec in SERVICES:
        own = [name for name in spec.settings.model_fields if name not in ServiceSettings.model_fields]
        settings = []
        for name in own:
            field = spec.settings.model_fields[name]
            if not field.description:
                raise ValueError(f"{spec.settings.__name__}.{name}: describe the setting (Field(description=...))")
            settings.append(services.Setting(f"{spec.env_prefix}{name.upper()}", str(field.default), field.description))
        facts.append(
            services.ServiceFacts(
                name=spec.name,
                title=spec.title,
                port=spec.default_port,
                env_prefix=spec.env_prefix,
                database=spec.default_database_url,
                scopes=spec.scopes,
                tables=tuple(spec.metadata.tables),
                contract=spec.contract_path(root / "contracts"),
                calls=spec.calls,
                settings=tuple(settings),
            )
        )
    return facts


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    from contractkit.kit.checks import GENERIC
    from contractkit.kit.services import SERVICE_KITS
    from contractkit.lint.registry import GUIDE, all_rules
    from dataservices.common.settings import ServiceSettings

    root = Path(config.config_file_path).parent
    # The address the services' problem `type`s point at by default.
    base_uri = str(ServiceSettings.model_fields["problem_base_uri"].default)
    nav: list[Any] = config.nav or []
    try:
        published = published_url(str(config.site_url or ""), base_uri, GUIDE.base_url)
        kit = (list(GENERIC), [(name, list(kit.promises)) for name, kit in sorted(SERVICE_KITS.items())])
        facts = registered_services(root)
        pages, contracts = generate_pages(root, nav, all_rules(), GUIDE.groups, published, kit, facts)
        mermaid = ensure_mermaid(root / ".cache" / "docs")
    except (ValueError, RuntimeError) as exc:  # a source or the configuration is wrong: say which, no traceback
        raise PluginError(str(exc)) from exc
    _pages.clear()
    _pages.update(pages)
    _services[:] = facts
    _versions.clear()
    _versions.update({contract.service: contract.version for contract in contracts})
    _vendored.clear()
    _vendored.update({SCRIPT: mermaid.script, LICENSE: mermaid.license})
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    prefix = "../" * page.file.src_uri.count("/") + "services/"
    markdown = services.fill(markdown, services.SERVICES_TABLE, services.services_table(_services, prefix, _versions))
    return services.fill(markdown, services.SERVICE_SETTINGS, services.settings_sections(_services))


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for src_uri, content in _pages.items():
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(f"docs/{src_uri} is generated at build time; remove the hand-written file")
        files.append(File.generated(config, src_uri, content=content))
    for src_uri, path in _vendored.items():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files
