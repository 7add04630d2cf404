"""Write a bundled document as YAML or JSON, byte-for-byte the same for the same input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints and types-PyYAML is not locked


class _Dumper(yaml.CSafeDumper):  # type: ignore[misc]  # subclassing an untyped class
    """Safe dumper that never writes anchors: a bundle is read by tools that handle them poorly."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: Any, value: str) -> Any:
    # Multi-line text reads best as a `|` block; PyYAML falls back to quoting when a block cannot hold it.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(document: Any) -> str:
    """YAML text with keys in source order, block style, unicode kept as is."""
    text: str = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        # Long descriptions stay on one line rather than being folded at 80 columns.
        width=1 << 16,
    )
    return text


def dump_json(document: Any) -> str:
    """JSON text, two-space indent, keys in source order, ending with a newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def dump(document: Any, path: Path | str) -> str:
    """Text for ``document`` in the format ``path``'s suffix names (``.json`` -> JSON, else YAML)."""
    return dump_json(document) if Path(path).suffix.lower() == ".json" else dump_yaml(document)
