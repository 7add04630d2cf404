"""How a client model differs from its schema in the bundled contract, in the ways that break calls.

The clients' models are written by hand (the docs' clients page says why), so this check keeps them
true to the contract. A model is compared in the direction it is used:

- a model the client reads (`READ`) must take every answer the schema allows: the same properties, no
  property required that the schema leaves out, null accepted wherever the schema allows it, every
  enum value of the schema accepted, and every JSON type of the schema;
- a model the client sends (`SENT`) must send only what the schema accepts: the same properties, every
  required property required (a fixed `Literal` counts, it is always sent), and only enum values the
  schema lists.

Properties that hold another object must hold the model mapped to that object's schema, so nested
bodies are checked through their own rows. Constraints on values (patterns, ranges) are the service's
to enforce and are not compared.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

READ, SENT = "read", "sent"

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Row:
    """A client model, the contract schema it stands for, and how the client uses it."""

    model: type[BaseModel]
    schema: str
    uses: frozenset[str]

    @classmethod
    def read(cls, model: type[BaseModel], schema: str) -> Row:
        return cls(model, schema, frozenset({READ}))

    @classmethod
    def sent(cls, model: type[BaseModel], schema: str) -> Row:
        return cls(model, schema, frozenset({SENT}))

    @classmethod
    def both(cls, model: type[BaseModel], schema: str) -> Row:
        return cls(model, schema, frozenset({READ, SENT}))

    def __str__(self) -> str:
        return f"{self.model.__name__}~{self.schema}"


@dataclass
class Shape:
    """What one property accepts, as far as the check compares it."""

    types: set[str] = field(default_factory=set)  # JSON types other than null
    nullable: bool = False
    values: set[Any] = field(default_factory=set)  # enum or const values of its scalar branches
    free: bool = False  # some scalar branch takes any value of its type
    objects: set[str] = field(default_factory=set)  # names of the object schemas or models it holds

    @property
    def enum(self) -> set[Any] | None:
        """The only values it takes, or None when it takes any value of its types."""
        return None if self.free or not self.values else self.values


def _is_object(schema: Schema) -> bool:
    return (
        "properties" in schema or schema.get("type") == "object" or any(_is_object(s) for s in schema.get("allOf", ()))
    )


class _Reader:
    """Reads shapes out of one JSON Schema dialect: `ref_prefix` names where its named schemas live."""

    def __init__(self, named: Mapping[str, Schema], ref_prefix: str, rename: Callable[[str], str]) -> None:
        self.named, self.prefix, self.rename = named, ref_prefix, rename

    def shape(self, schema: Schema) -> Shape:
        found = Shape()
        self._collect(schema, found)
        return found

    def _collect(self, schema: Schema, into: Shape) -> None:
        if "$ref" in schema:
            name = schema["$ref"].removeprefix(self.prefix)
            target = self.named[name]
            if _is_object(target):
                into.objects.add(self.rename(name))
            else:  # a named scalar (an id, an enum) or a union of objects (a discriminated body)
                self._collect(target, into)
            return
        for key in ("oneOf", "anyOf", "allOf"):
            for branch in schema.get(key, ()):
                self._collect(branch, into)
        kinds = schema.get("type")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or ())
        if "const" in schema:
            values: set[Any] | None = {schema["const"]}
        elif "enum" in schema:
            values = {value for value in schema["enum"] if value is not None}
            into.nullable |= None in schema["enum"]
        else:
            values = None
        into.nullable |= "null" in kinds
        kinds = [kind for kind in kinds if kind != "null"]
        if not kinds and values is not None:
            kinds = sorted({_json_type(value) for value in values})
        if kinds:
            into.types |= set(kinds)
            if set(kinds) - {"array", "object"}:
                if values is None:
                    into.free = True
                else:
                    into.values |= values
        if "items" in schema:
            self._collect(schema["items"], into)

    def properties(self, schema: Schema) -> tuple[dict[str, Schema], set[str]]:
        """The properties and required names of an object schema, through `allOf` and references."""
        if "$ref" in schema:
            return self.properties(self.named[schema["$ref"].removeprefix(self.prefix)])
        properties: dict[str, Schema] = dict(schema.get("properties", {}))
        required = set(schema.get("required", ()))
        for part in schema.get("allOf", ()):
            more, more_required = self.properties(part)
            properties.update(more)
            required |= more_required
        return properties, required


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, enum.Enum):
        return _json_type(value.value)
    return "string"


def _model_reader(model: type[BaseModel], names: Mapping[str, str]) -> tuple[_Reader, Schema]:
    schema = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    return _Reader(schema.get("$defs", {}), "#/$defs/", lambda name: names.get(name, f"unmapped model {name}")), schema


def drift(row: Row, schemas: Mapping[str, Schema], rows: Iterable[Row]) -> list[str]:
    """Every difference between `row`'s model and its schema that breaks a call; empty when there is none."""
    names = {other.model.__name__: other.schema for other in rows}
    model_reader, model_schema = _model_reader(row.model, names)
    contract_reader = _Reader(schemas, "#/components/schemas/", lambda name: name)
    model_properties, model_required = model_reader.properties(model_schema)
    contract_properties, contract_required = contract_reader.properties(schemas[row.schema])
    always_sent = {name for name, prop in model_properties.items() if "const" in prop}
    found: list[str] = []
    for name in sorted(set(contract_properties) - set(model_properties)):
        found.append(f"{row}: the contract's property {name} has no field")
    for name in sorted(set(model_properties) - set(contract_properties)):
        found.append(f"{row}: field {name} is not a property of the contract")
    for name in sorted(set(model_properties) & set(contract_properties)):
        model_shape = model_reader.shape(model_properties[name])
        contract_shape = contract_reader.shape(contract_properties[name])
        where = f"{row}.{name}"
        if model_shape.objects != contract_shape.objects:
            found.append(f"{where}: holds {sorted(model_shape.objects)}, the contract {sorted(contract_shape.objects)}")
        if READ in row.uses:
            found += _read_drift(where, name, model_shape, contract_shape, model_required, contract_required)
        if SENT in row.uses:
            found += _sent_drift(
                where, name, model_shape, contract_shape, model_required | always_sent, contract_required
            )
    return found


def _read_drift(
    where: str, name: str, model: Shape, contract: Shape, model_required: set[str], contract_required: set[str]
) -> list[str]:
    found = []
    if name in model_required and name not in contract_required:
        found.append(f"{where}: required by the model, optional in answers")
    if contract.nullable and not model.nullable:
        found.append(f"{where}: the contract allows null, the model does not")
    if not contract.types <= model.types:
        found.append(f"{where}: answers may be {sorted(contract.types)}, the model takes {sorted(model.types)}")
    if model.enum is not None and (contract.enum is None or not contract.enum <= model.enum):
        missing = "any value" if contract.enum is None else sorted(contract.enum - model.enum)
        found.append(f"{where}: answers may hold {missing}, which the model refuses")
    return found


def _sent_drift(
    where: str, name: str, model: Shape, contract: Shape, model_required: set[str], contract_required: set[str]
) -> list[str]:
    found = []
    if (name in contract_required) != (name in model_required):
        required = "required" if name in contract_required else "optional"
        found.append(f"{where}: {required} in the contract, not in the model")
    if not model.types <= contract.types:
        found.append(f"{where}: the model sends {sorted(model.types)}, the contract takes {sorted(contract.types)}")
    if contract.enum is not None and (model.enum is None or not model.enum <= contract.enum):
        extra = "any value" if model.enum is None else sorted(model.enum - contract.enum)
        found.append(f"{where}: the model may send {extra}, which the contract refuses")
    return found
