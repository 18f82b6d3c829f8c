"""Compare pydantic models with JSON Schemas of an OpenAPI 3.1 document.

A model matches a schema when both have the same field names, the same
required fields, and compatible types (nullability included): ``string`` is
``str`` (``datetime`` with ``format: date-time``, an ``Enum``/``Literal`` of
the same values with ``enum``), ``integer`` is ``int``, ``number`` is
``float``, ``boolean`` is ``bool``, ``array`` is ``list[...]``, ``object``
is a model (with ``properties``) or ``dict[str, ...]``, and ``{}`` is ``Any``.
"""

from __future__ import annotations

import inspect
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel


class SchemaComparer:
    """Compares models with the schemas of one OpenAPI document."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.seen: set[type[BaseModel]] = set()

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Follow ``$ref`` and merge ``allOf``."""
        while "$ref" in schema:
            node: Any = self.doc
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        if "allOf" in schema:
            merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
            for part in schema["allOf"]:
                sub = self.resolve(part)
                merged["properties"].update(sub.get("properties", {}))
                merged["required"] += sub.get("required", [])
            return merged
        return schema

    def model(self, model: type[BaseModel], schema: dict[str, Any], where: str) -> list[str]:
        """Problems between ``model`` and the object ``schema``."""
        self.seen.add(model)
        schema = self.resolve(schema)
        where = f"{where}<{model.__name__}>"
        props: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        out = [
            f"{where}: the document has field {n!r}, the model not"
            for n in props.keys() - fields.keys()
        ]
        out += [
            f"{where}: the model has field {n!r}, the document not"
            for n in fields.keys() - props.keys()
        ]
        for name in sorted(props.keys() & fields.keys()):
            field = fields[name]
            if (name in required) != field.is_required():
                doc_says = "required" if name in required else "optional"
                out.append(f"{where}.{name}: {doc_says} in the document, not in the model")
            out += self.check(field.annotation, props[name], f"{where}.{name}")
        return out

    def check(self, ann: Any, schema: dict[str, Any], where: str) -> list[str]:
        """Problems between annotation ``ann`` and ``schema``."""
        schema = self.resolve(schema)
        if not schema.get("type") and "anyOf" not in schema and "enum" not in schema:
            return [] if ann is Any else [f"{where}: the document allows anything, model has {ann}"]
        alternatives = self._alternatives(schema)
        members, ann_nullable = _split_optional(ann)
        out: list[str] = []
        doc_nullable = any(a.get("type") == "null" for a in alternatives)
        if doc_nullable != ann_nullable:
            out.append(
                f"{where}: nullable={doc_nullable} in the document, {ann_nullable} in the model"
            )
        alternatives = [a for a in alternatives if a.get("type") != "null"]
        if len(alternatives) == 1 and len(members) == 1:
            return out + self.one(members[0], alternatives[0], where)
        for alt in alternatives:
            if not any(not self.one(m, alt, where) for m in members):
                out.append(f"{where}: no model type matches the document's {_brief(alt)}")
        for m in members:
            if not any(not self.one(m, alt, where) for alt in alternatives):
                out.append(f"{where}: model type {m} is not in the document")
        return out

    def one(self, ann: Any, s: dict[str, Any], where: str) -> list[str]:
        """Problems between a non-null annotation and a single-typed schema."""
        s = self.resolve(s)
        kind = s.get("type")
        bad = [f"{where}: document {_brief(s)} vs model {ann}"]
        if kind == "string":
            if "enum" in s:
                return [] if _enum_values(ann) == set(s["enum"]) else bad
            if s.get("format") == "date-time":
                return [] if ann is datetime else bad
            return [] if ann is str else bad
        if kind == "integer":
            return [] if ann is int else bad
        if kind == "number":
            return [] if ann is float else bad
        if kind == "boolean":
            return [] if ann is bool else bad
        origin, args = typing.get_origin(ann), typing.get_args(ann)
        if kind == "array":
            if origin is not list:
                return bad
            return self.check(args[0], s.get("items", {}), f"{where}[]")
        if kind == "object":
            if inspect.isclass(ann) and issubclass(ann, BaseModel):
                return self.model(ann, s, where)
            if origin is dict and "properties" not in s:
                return self.check(args[1], s.get("additionalProperties", {}), f"{where}{{}}")
            return bad
        return bad

    @staticmethod
    def _alternatives(schema: dict[str, Any]) -> list[dict[str, Any]]:
        if "anyOf" in schema:
            return list(schema["anyOf"])
        kind = schema.get("type")
        if isinstance(kind, list):
            return [{**schema, "type": k} for k in kind]
        return [schema]


def _split_optional(ann: Any) -> tuple[list[Any], bool]:
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = list(typing.get_args(ann))
        nullable = type(None) in args
        return [a for a in args if a is not type(None)], nullable
    return [ann], False


def _enum_values(ann: Any) -> set[Any] | None:
    if inspect.isclass(ann) and issubclass(ann, Enum):
        return {m.value for m in ann}
    if typing.get_origin(ann) is typing.Literal:
        return set(typing.get_args(ann))
    return None


def _brief(schema: dict[str, Any]) -> str:
    keys = ("type", "format", "enum")
    return str({k: schema[k] for k in keys if k in schema})
