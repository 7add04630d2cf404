"""MkDocs hook: the pages generated from the repository's sources, and the vendored Mermaid.

- ``on_config`` reads the sources (the lint rule registry, the kit's promises, the bundled contracts,
  the error catalogue), renders every generated page, and lists each in the nav right after the page that
  introduces its section: rule groups after ``guidelines/index.md``, a service's API reference
  after ``services/<service>/index.md``, problem pages after ``errors/index.md``.
- ``on_files`` adds those pages with ``File.generated`` (so search indexes them and the strict
  build checks their links), and Mermaid's script and license, fetched once with npm.

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
from sitegen.generate import generate_pages  # noqa: E402
from sitegen.layout import published_url  # noqa: E402
from sitegen.vendor import LICENSE, SCRIPT, ensure_mermaid  # noqa: E402

_pages: dict[str, str] = {}
_vendored: dict[str, Path] = {}


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
        pages = generate_pages(root, nav, all_rules(), GUIDE.groups, published, kit)
        mermaid = ensure_mermaid(root / ".cache" / "docs")
    except (ValueError, RuntimeError) as exc:  # a source or the configuration is wrong: say which, no traceback
        raise PluginError(str(exc)) from exc
    _pages.clear()
    _pages.update(pages)
    _vendored.clear()
    _vendored.update({SCRIPT: mermaid.script, LICENSE: mermaid.license})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for src_uri, content in _pages.items():
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(f"docs/{src_uri} is generated at build time; remove the hand-written file")
        files.append(File.generated(config, src_uri, content=content))
    for src_uri, path in _vendored.items():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files
