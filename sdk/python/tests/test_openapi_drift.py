"""The SDK cannot drift from Bay: every route and model is checked against
the ``/openapi.json`` the running test Bay serves."""

from __future__ import annotations

import inspect
import json
import re
import urllib.request
from typing import Any

import pytest
from pydantic import BaseModel

from shipyard_neo import _routes, types
from shipyard_neo.errors import ERROR_CODE_MAP
from shipyard_neo.types import NoContent
from tests._schema import SchemaComparer
from tests.conftest import REPO, BayServer

# Models that describe NDJSON stream events, which the document gives as plain strings.
NOT_IN_DOCUMENT = {types.ProcessLogEvent}
BASES = {types.BayModel}


@pytest.fixture(scope="module")
def doc(bay: BayServer) -> dict[str, Any]:
    with urllib.request.urlopen(bay.endpoint + "/openapi.json", timeout=30) as r:
        data: dict[str, Any] = json.load(r)
    return data


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def _success(op: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    codes = [c for c in op["responses"] if c.startswith("2") or c == "101"]
    assert len(codes) == 1, codes
    return int(codes[0]), op["responses"][codes[0]]


def test_every_document_operation_has_a_route(doc: dict[str, Any]) -> None:
    sdk = {(r.method, r.path) for r in _routes.ALL_ROUTES.values()}
    missing = sorted(set(_operations(doc)) - sdk)
    assert not missing, f"operations the SDK does not cover: {missing}"


def test_every_route_is_in_the_document(doc: dict[str, Any]) -> None:
    ops = _operations(doc)
    unknown = [
        f"{name}: {r.method} {r.path}"
        for name, r in _routes.ALL_ROUTES.items()
        if (r.method, r.path) not in ops
    ]
    assert not unknown, f"SDK routes the document lacks: {unknown}"


@pytest.mark.parametrize("name", sorted(_routes.ALL_ROUTES))
def test_route_matches_the_document(doc: dict[str, Any], name: str) -> None:
    route = _routes.ALL_ROUTES[name]
    op = _operations(doc)[(route.method, route.path)]
    cmp = SchemaComparer(doc)
    problems: list[str] = []

    params = op.get("parameters", [])
    doc_query = {p["name"] for p in params if p["in"] == "query"}
    if set(route.query) != doc_query:
        problems.append(
            f"query parameters: SDK {sorted(route.query)}, document {sorted(doc_query)}"
        )
    doc_path = {p["name"] for p in params if p["in"] == "path"}
    if set(re.findall(r"\{(\w+)\}", route.path)) != doc_path:
        problems.append(f"path parameters differ from {sorted(doc_path)}")

    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        if route.body is None:
            problems.append("the document takes a JSON body, the SDK sends none")
        else:
            problems += cmp.model(route.body, content["application/json"]["schema"], "body")
            schema = cmp.resolve(content["application/json"]["schema"])
            forbid = route.body.model_config.get("extra") == "forbid"
            if schema.get("additionalProperties") is False and not forbid:
                problems.append("body model must forbid unknown fields like the document")
    elif "multipart/form-data" in content:
        form = cmp.resolve(content["multipart/form-data"]["schema"])
        if not route.multipart or set(form["properties"]) != {"file", "path"}:
            problems.append(f"multipart fields {sorted(form['properties'])} not sent")
    elif route.body is not None or route.multipart:
        problems.append("the SDK sends a body the document does not take")

    status, response = _success(op)
    if status != route.status:
        problems.append(f"success status: SDK {route.status}, document {status}")
    answer = response.get("content", {})
    if "application/json" in answer:
        problems += cmp.model(route.response, answer["application/json"]["schema"], "response")
    elif route.response is not NoContent:
        problems.append(f"the document answers {sorted(answer) or 'nothing'}, SDK expects JSON")
    assert not problems, "\n".join(problems)


def test_every_model_is_checked(doc: dict[str, Any]) -> None:
    cmp = SchemaComparer(doc)
    for route in _routes.ALL_ROUTES.values():
        op = _operations(doc)[(route.method, route.path)]
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body and route.body:
            cmp.model(route.body, body["schema"], "body")
        answer = _success(op)[1].get("content", {}).get("application/json")
        if answer:
            cmp.model(route.response, answer["schema"], "response")
    public = {
        obj
        for name in types.__all__
        if inspect.isclass(obj := getattr(types, name)) and issubclass(obj, BaseModel)
    }
    unchecked = public - cmp.seen - NOT_IN_DOCUMENT - BASES - {NoContent}
    assert not unchecked, f"models no route compares: {sorted(m.__name__ for m in unchecked)}"


def test_error_envelope_matches(doc: dict[str, Any]) -> None:
    error = doc["components"]["schemas"]["Error"]["properties"]["error"]
    assert {"code", "message", "request_id", "details"} <= set(error["properties"])
    assert {"code", "message", "request_id"} <= set(error["required"])


def test_one_exception_class_per_bay_error_code() -> None:
    source = (REPO / "bay" / "errors.ts").read_text()
    table = source[source.index("ERROR_STATUS = {") : source.index("} as const")]
    codes = dict(re.findall(r"^\s+(\w+): (\d+),", table, re.M))
    assert codes, "could not read bay/errors.ts"
    assert set(ERROR_CODE_MAP) == set(codes)
    for code, status in codes.items():
        cls = ERROR_CODE_MAP[code]
        assert cls.code == code
        assert cls.status == int(status), code
    assert len(set(ERROR_CODE_MAP.values())) == len(ERROR_CODE_MAP)
