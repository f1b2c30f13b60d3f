"""OpenAPI 3.1 documents written from the Pydantic models the services validate and answer with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

Mode = Literal["validation", "serialization"]
REF_TEMPLATE = "#/components/schemas/{model}"
_MODEL = "x-tipline-model"  # placeholder key, replaced by a $ref when the document is built


class ErrorOut(BaseModel):
    """Every error answer: one sentence saying what went wrong."""

    error: str


class FieldErrorOut(BaseModel):
    """One problem with one field, such as location.lat."""

    field: str
    message: str


class InvalidOut(BaseModel):
    """A 422 answer: the problems, field by field."""

    error: str
    errors: list[FieldErrorOut]


class HealthOut(BaseModel):
    """/healthz: the process is alive."""

    status: Literal["ok"]


class ReadyOut(BaseModel):
    """/readyz: whether the database and broker answer."""

    status: Literal["ready", "not ready"]
    checks: dict[str, str]


def model(cls: type[BaseModel], mode: Mode = "serialization") -> dict[str, Any]:
    """A schema placeholder for a model; becomes a $ref into components when built."""
    return {_MODEL: (cls, mode)}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """Content of application/json with the given schema."""
    return {"application/json": {"schema": schema}}


def header(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A documented response header."""
    return {"description": description, "schema": schema or {"type": "string"}}


def answer(
    description: str,
    cls: type[BaseModel] | None = ErrorOut,
    *,
    headers: dict[str, Any] | None = None,
    content: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A response object: a JSON body of `cls` (errors by default) and any headers."""
    out: dict[str, Any] = {"description": description}
    if content is not None:
        out["content"] = content
    elif cls is not None:
        out["content"] = json_body(model(cls))
    if headers:
        out["headers"] = headers
    return out


def path_param(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """A required path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def query_param(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """An optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


@dataclass
class OpenApi:
    """An OpenAPI document under construction: operations first, schemas resolved at build()."""

    title: str
    version: str
    description: str
    security_schemes: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        responses: Mapping[int, dict[str, Any]],
        body: type[BaseModel] | None = None,
        body_required: bool = True,
        parameters: list[dict[str, Any]] | None = None,
        security: list[dict[str, list[str]]] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        """Document one operation."""
        operation: dict[str, Any] = {
            "summary": summary,
            "operationId": f"{method}_{path}".strip("/")
            .replace("/", "_")
            .replace("{", "")
            .replace("}", "")
            .replace("-", "_")
            .replace(".", "_"),
            "responses": {str(code): value for code, value in responses.items()},
        }
        if tags:
            operation["tags"] = tags
        if parameters:
            operation["parameters"] = parameters
        if body is not None:
            operation["requestBody"] = {
                "required": body_required,
                "content": json_body(model(body, "validation")),
            }
        if security is not None:
            operation["security"] = security
        self.paths.setdefault(path, {})[method.lower()] = operation

    def build(self) -> dict[str, Any]:
        """The finished document, every model schema under components.schemas."""
        used: list[tuple[type[BaseModel], Mode]] = []
        _collect(self.paths, used)
        refs, definitions = models_json_schema(used, ref_template=REF_TEMPLATE)
        document: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version, "description": self.description},
            "paths": _resolve(self.paths, refs),
            "components": {"schemas": definitions.get("$defs", {})},
        }
        if self.security_schemes:
            document["components"]["securitySchemes"] = self.security_schemes
        return document


def _collect(node: Any, used: list[tuple[type[BaseModel], Mode]]) -> None:
    if isinstance(node, dict):
        if _MODEL in node:
            if node[_MODEL] not in used:
                used.append(node[_MODEL])
            return
        for value in node.values():
            _collect(value, used)
    elif isinstance(node, list):
        for value in node:
            _collect(value, used)


def _resolve(node: Any, refs: dict[tuple[Any, Mode], dict[str, Any]]) -> Any:
    if isinstance(node, dict):
        if _MODEL in node:
            return dict(refs[node[_MODEL]])
        return {key: _resolve(value, refs) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value, refs) for value in node]
    return node


def add_health(doc: OpenApi) -> None:
    """Document /healthz, /readyz, /metrics and /openapi.json."""
    doc.add(
        "get",
        "/healthz",
        summary="Alive",
        tags=["health"],
        responses={200: answer("Alive", HealthOut)},
    )
    doc.add(
        "get",
        "/readyz",
        summary="Database and broker reachable",
        tags=["health"],
        responses={
            200: answer("Ready", ReadyOut),
            503: answer("Not ready: which check failed", ReadyOut),
        },
    )
    doc.add(
        "get",
        "/metrics",
        summary="Prometheus metrics",
        tags=["health"],
        responses={
            200: answer("Metrics", None, content={"text/plain": {"schema": {"type": "string"}}})
        },
    )
    doc.add(
        "get",
        "/openapi.json",
        summary="This document",
        tags=["health"],
        responses={
            200: answer(
                "OpenAPI 3.1", None, content={"application/json": {"schema": {"type": "object"}}}
            )
        },
    )


def openapi_blueprint(build: Callable[[], dict[str, Any]]) -> Blueprint:
    """GET /openapi.json, built once on first request."""
    bp = Blueprint("openapi", __name__)
    cache: dict[str, dict[str, Any]] = {}

    @bp.get("/openapi.json")
    def openapi_json() -> Response:
        if "document" not in cache:
            cache["document"] = build()
        return jsonify(cache["document"])

    return bp
