"""The drift checker itself catches drift (synthetic document, no Bay needed)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel

from tests._schema import SchemaComparer

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "state": {"type": "string", "enum": ["a", "b"]},
                    "at": {"type": ["string", "null"], "format": "date-time"},
                    "n": {"type": "integer"},
                    "tags": {
                        "anyOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}},
                        ]
                    },
                    "meta": {"type": "object", "additionalProperties": {}},
                },
                "required": ["id", "state", "at", "n", "meta"],
            },
            "Extended": {
                "allOf": [
                    {"$ref": "#/components/schemas/Thing"},
                    {"type": "object", "properties": {"more": {}}},
                ]
            },
        }
    }
}
REF = {"$ref": "#/components/schemas/Thing"}


class State(str, Enum):
    A = "a"
    B = "b"


class Good(BaseModel):
    id: str
    state: State
    at: datetime | None
    n: int
    tags: str | list[str] = "x"
    meta: dict[str, Any]


class GoodExtended(Good):
    more: Any = None


def problems(model: type[BaseModel], schema: dict[str, Any] = REF) -> list[str]:
    return SchemaComparer(DOC).model(model, schema, "t")


def test_matching_model_has_no_problems() -> None:
    assert problems(Good) == []
    assert problems(GoodExtended, {"$ref": "#/components/schemas/Extended"}) == []


def test_literal_counts_as_enum() -> None:
    class WithLiteral(Good):
        state: Literal["a", "b"]  # type: ignore[assignment]

    assert problems(WithLiteral) == []


def test_missing_and_extra_fields_are_reported() -> None:
    class Missing(BaseModel):
        id: str
        state: State
        at: datetime | None
        n: int
        meta: dict[str, Any]
        surprise: int = 0

    out = problems(Missing)
    assert any("'tags'" in p and "document has" in p for p in out)
    assert any("'surprise'" in p and "model has" in p for p in out)


def test_required_nullable_and_types_are_reported() -> None:
    class Wrong(BaseModel):
        id: str = ""
        state: str
        at: datetime
        n: float
        tags: str = ""
        meta: dict[str, Any]

    out = "\n".join(problems(Wrong))
    assert "t<Wrong>.id: required in the document" in out
    assert "t<Wrong>.state: document" in out
    assert "t<Wrong>.at: nullable=True in the document, False" in out
    assert "t<Wrong>.n: document" in out
    assert "t<Wrong>.tags: no model type matches" in out


def test_enum_values_must_match() -> None:
    class Other(str, Enum):
        A = "a"
        C = "c"

    class WrongEnum(Good):
        state: Other  # type: ignore[assignment]

    assert any("state" in p for p in problems(WrongEnum))
