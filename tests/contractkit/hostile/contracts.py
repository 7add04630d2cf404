"""Hypothesis strategies for hostile contracts: a valid contract, then mutations of what a pull request controls.

A drawn :class:`Contract` is a root file and a shared file, each a tree of plain values and the YAML
features JSON lacks (:class:`Anchor`, :class:`Alias`, :class:`Tagged`, :class:`Merge`, :class:`Raw`
scalars), rendered to YAML (any feature) or JSON (features replaced by plain values). Mutations change
types, delete and add members, add ``$ref``s to anywhere (other files, outside the root, devices,
URLs, cycles, scalars), nest deeply, alias (bombs included), tag, merge and write odd scalars.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

OUTSIDE_SECRET = "../outside/secret.yaml"


@dataclass(frozen=True)
class Anchor:
    """``&name value``."""

    name: str
    value: Any


@dataclass(frozen=True)
class Alias:
    """``*name`` (written as the string ``"*name"`` in JSON, which has no aliases: a bomb stays small)."""

    name: str


@dataclass(frozen=True)
class Tagged:
    """``!tag text``: a tag on a scalar written as it is."""

    tag: str
    text: str


@dataclass(frozen=True)
class Merge:
    """A mapping with ``<<: [*a, *b]`` before its own members."""

    sources: tuple[str, ...]
    members: dict[str, Any]


@dataclass(frozen=True)
class Raw:
    """A plain YAML scalar written as it is (``.nan``, ``0o17``, ``~``...)."""

    text: str


def seed(outside: str) -> dict[str, Any]:
    """A small valid contract that refers to a shared file (``outside``: the absolute outside folder)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Fuzzed", "version": "1.0.0", "description": "A contract to mutate."},
        "paths": {
            "/v1/things": {
                "get": {
                    "operationId": "listThings",
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                    "responses": {
                        "200": {
                            "description": "The things.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                        },
                        "400": {"$ref": "shared/common.yaml#/Problem"},
                    },
                },
                "post": {
                    "operationId": "addThing",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "shared/common.yaml#/Money"}}},
                    },
                    "responses": {"201": {"description": "Added."}},
                },
            }
        },
        "components": {
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
            },
            "schemas": {
                "Thing": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "string"}, "price": {"$ref": "shared/common.yaml#/Money"}},
                    "example": {"id": "thg_1", "price": {"amount": 100, "currency": "EUR"}},
                },
            },
        },
    }


SHARED: dict[str, Any] = {
    "Money": {
        "type": "object",
        "properties": {"amount": {"type": "integer"}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}},
    },
    "Problem": {"description": "A problem.", "content": {"application/problem+json": {"schema": {"type": "object"}}}},
}


def ref_targets(outside: str) -> st.SearchStrategy[str]:
    """``$ref`` text: good and broken local refs, other files, escapes, devices, URLs, odd encodings."""
    return st.one_of(
        st.sampled_from(
            [
                "#/components/schemas/Thing",
                "#/components/schemas/Missing",
                "#/info/title",
                "#/openapi",
                "#/paths",
                "#",
                "#/",
                "#Thing",
                "#/x-self",
                "shared/common.yaml#/Money",
                "shared/common.yaml#/Problem",
                "shared/common.yaml#/Back",
                "shared/common.yaml",
                "shared/missing.yaml#/X",
                "shared/",
                "openapi.yaml#/components/schemas/Thing",
                OUTSIDE_SECRET + "#/Money",
                "../outside/secret.txt",
                "..%2Foutside%2Fsecret.yaml#/Money",
                f"{outside}/secret.yaml#/Money",
                f"file://{outside}/secret.yaml#/Money",
                "file:///etc/passwd",
                "/etc/passwd",
                "/dev/zero",
                "/dev/urandom",
                "/proc/self/environ",
                "../" * 30 + "dev/zero.yaml",
                "http://127.0.0.1:9/schema.json",
                "ftp://127.0.0.1:9/schema.json",
                "urn:example:thing",
                "C:/windows/win.ini",
                "shared%00.yaml",
                "",
            ]
        ),
        st.text(max_size=20),
    )


_TAGS = [
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!binary",
    "!!timestamp",
    "!!set",
    "!!omap",
    "!custom",
    "!!python/object/apply:os.system",
    "!!python/name:os.system",
]
_RAW_SCALARS = [
    ".nan",
    ".inf",
    "-.inf",
    "0x1F",
    "0o17",
    "1_000",
    "~",
    "yes",
    "no",
    "on",
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "12:30:45",
    "1e400",
    "9" * 5000,
    '"\\x00"',
    "'single'",
    '"tab\\there"',
    "= ",
    "!",
]


def scalars() -> st.SearchStrategy[Any]:
    """JSON scalars, strings that look like other things included."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        st.sampled_from(["$ref", "#/paths", "../x.yaml", "200", "get", "object", "3.1.0"]),
    )


def values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any JSON value, small."""
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
        max_leaves=max_leaves,
    )


@dataclass(frozen=True)
class Contract:
    """A drawn contract: root and shared trees, and whether the root is written as JSON."""

    root: Any
    shared: Any
    as_json: bool

    def root_text(self) -> str:
        """The root file's text."""
        return render_json(self.root) if self.as_json else render_yaml(self.root)

    def shared_text(self) -> str:
        """The shared file's text (always YAML)."""
        return render_yaml(self.shared)


def _containers(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every dict and list in ``tree`` (plain containers only)."""
    found: list[tuple[Any, ...]] = []
    stack = [(tree, path)]
    while stack:
        node, here = stack.pop()
        if isinstance(node, dict):
            found.append(here)
            stack.extend((value, (*here, key)) for key, value in node.items())
        elif isinstance(node, list):
            found.append(here)
            stack.extend((value, (*here, index)) for index, value in enumerate(node))
    return found


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for token in path:
        tree = tree[token]
    return tree


def _put(container: Any, draw: st.DrawFn, value: Any) -> None:
    """Put ``value`` into ``container``: a new or existing key of a dict, a new or existing slot of a list."""
    if isinstance(container, dict):
        key = draw(st.one_of(st.sampled_from(sorted(container) or ["x"]), st.text(max_size=8), st.just("$ref")))
        container[key] = value
    elif not container or draw(st.booleans()):
        container.append(value)
    else:
        container[draw(st.integers(0, len(container) - 1))] = value


def _nest(depth: int, inner: Any) -> Any:
    for level in range(depth):
        inner = [inner] if level % 2 else {"n": inner}
    return inner


@st.composite
def _mutate(draw: st.DrawFn, tree: Any, outside: str, anchors: list[str]) -> None:
    """Apply one mutation to ``tree`` in place."""
    containers = _containers(tree)
    target = _get(tree, draw(st.sampled_from(containers)))
    kind = draw(
        st.sampled_from(
            ["value", "delete", "ref", "ref", "ref", "nest", "anchor", "bomb", "tag", "merge", "raw", "cycle"]
        )
    )
    if kind == "value":
        _put(target, draw, draw(values()))
    elif kind == "delete" and target:
        if isinstance(target, dict):
            del target[draw(st.sampled_from(sorted(target)))]
        else:
            del target[draw(st.integers(0, len(target) - 1))]
    elif kind == "ref":
        _put(target, draw, {"$ref": draw(ref_targets(outside))})
    elif kind == "nest":
        _put(target, draw, _nest(draw(st.integers(1, 90)), draw(scalars())))
    elif kind == "anchor":
        name = f"a{len(anchors)}"
        anchors.append(name)
        value = draw(values())
        _put(target, draw, Anchor(name, value))
        for _ in range(draw(st.integers(1, 3))):
            _put(target, draw, Alias(name))
    elif kind == "bomb":
        levels, fan = draw(st.integers(1, 9)), draw(st.integers(1, 10))
        base = f"b{len(anchors)}"
        anchors.append(base)
        chain = [Anchor(f"{base}_0", ["lol"] * fan)]
        chain += [Anchor(f"{base}_{level}", [Alias(f"{base}_{level - 1}")] * fan) for level in range(1, levels)]
        _put(target, draw, chain)
    elif kind == "tag":
        _put(target, draw, Tagged(draw(st.sampled_from(_TAGS)), draw(st.sampled_from(["x", "1", "aGk=", "[1]"]))))
    elif kind == "merge" and anchors:
        _put(target, draw, Merge(tuple(draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=3))), {"k": 1}))
    elif kind == "raw":
        # Rare: a lone surrogate escape makes the whole file unparsable, hiding every other mutation.
        text = draw(st.sampled_from(_RAW_SCALARS)) if draw(st.integers(0, 4)) else '"\\ud800"'
        _put(target, draw, Raw(text))
    elif kind == "cycle" and isinstance(tree, dict):
        tree["x-self"] = {"$ref": draw(st.sampled_from(["#/x-self", "shared/common.yaml#/Back"]))}


@st.composite
def contracts(draw: st.DrawFn, outside: str) -> Contract:
    """A contract to run every command on; ``outside`` is the absolute folder next to the root."""
    root: Any = seed(outside)
    shared: Any = json.loads(json.dumps(SHARED))
    shared["Back"] = {"$ref": draw(st.sampled_from(["../openapi.yaml#/components/schemas/Thing", "#/Back"]))}
    anchors: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        draw(_mutate(root, outside, anchors))
    for _ in range(draw(st.integers(0, 2))):
        draw(_mutate(shared, outside, []))
    if draw(st.integers(0, 9)) == 0:
        root = draw(values())  # not a mapping at all
    return Contract(root, shared, as_json=draw(st.booleans()))


def render_json(tree: Any) -> str:
    """JSON text; YAML features become plain values (anchors their value; aliases, tags, raw scalars strings)."""
    return json.dumps(_plain(tree), indent=1)


def _plain(node: Any) -> Any:
    if isinstance(node, Anchor):
        return _plain(node.value)
    if isinstance(node, Alias):
        return f"*{node.name}"
    if isinstance(node, Tagged):
        return node.text
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, Merge):
        return {key: _plain(value) for key, value in node.members.items()}
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node


def render_yaml(tree: Any) -> str:
    """YAML text: block style at the top, flow style below, every YAML feature written as drawn."""
    if isinstance(tree, dict) and tree:
        return "".join(f"{_key(key)}: {_flow(value)}\n" for key, value in tree.items())
    return _flow(tree) + "\n"


def _key(key: Any) -> str:
    return json.dumps(str(key))


def _flow(node: Any) -> str:
    if isinstance(node, Anchor):
        return f"&{node.name} {_flow(node.value)}"
    if isinstance(node, Alias):
        return f"*{node.name}"
    if isinstance(node, Tagged):
        return f"{node.tag} {node.text}"
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, Merge):
        members = ", ".join(f"{_key(key)}: {_flow(value)}" for key, value in node.members.items())
        sources = ", ".join(f"*{name}" for name in node.sources)
        return f"{{<<: [{sources}]{', ' + members if members else ''}}}"
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_key(key)}: {_flow(value)}" for key, value in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_flow(item) for item in node) + "]"
    if isinstance(node, float) and node != node:
        return ".nan"
    return json.dumps(node)
