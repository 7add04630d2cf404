"""Writing bundles as YAML or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from contractkit.bundle import dump, dump_json, dump_yaml
from contractkit.loading import Document

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Ünïcode", "version": "1", "description": "Line one.\n\nLine two.\n"},
    "paths": {"/v1/x": {"get": {"responses": {"200": {"description": "yes"}}}}},
    "x-date": "2024-05-01",
    "x-shared": [{"a": 1}],
}


def test_yaml_round_trips_through_the_loader() -> None:
    text = dump_yaml(DOCUMENT)
    assert Document.from_text(Path("b.yaml"), text).data == DOCUMENT
    assert "'200':" in text  # quoted, so YAML readers do not turn it into an integer
    assert "description: |" in text  # multi-line text as a block
    assert "Ünïcode" in text
    assert text.index("openapi") < text.index("info") < text.index("paths")


def test_no_anchors_even_for_shared_objects() -> None:
    shared = {"type": "string"}
    assert "&" not in dump_yaml({"a": shared, "b": shared})


def test_json_and_suffix_choice() -> None:
    assert json.loads(dump_json(DOCUMENT)) == DOCUMENT
    assert dump(DOCUMENT, "out.json") == dump_json(DOCUMENT)
    assert dump(DOCUMENT, "out.yaml") == dump(DOCUMENT, "-") == dump_yaml(DOCUMENT)
