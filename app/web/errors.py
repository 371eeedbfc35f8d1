"""One mapping from domain errors (and HTTP-level refusals) to protocol error bodies."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from quart import Quart, Response, jsonify
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from app.domain.errors import EntraideError
from app.services.payloads import describe

STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "rate_limited": 429,
    "unavailable": 503,
}
_HTTP_CODES = {400: "invalid", 404: "not_found", 405: "invalid", 413: "invalid", 415: "invalid"}


def error_response(
    code: str, message: str, status: int | None = None, **details: Any
) -> tuple[Response, int]:
    body = {"error": {"code": code, "message": message, **details}}
    return jsonify(body), status or STATUS.get(code, 500)


def validation_message(exc: Any) -> str:
    if isinstance(exc, ValidationError):
        return describe(exc)
    return "the request must be JSON matching the documented schema"


def init_app(app: Quart) -> None:
    @app.errorhandler(EntraideError)
    async def domain_error(exc: EntraideError) -> tuple[Response, int]:
        return error_response(exc.code, exc.message, **exc.details)

    @app.errorhandler(RequestSchemaValidationError)
    async def schema_error(exc: RequestSchemaValidationError) -> tuple[Response, int]:
        return error_response("invalid", validation_message(exc.validation_error))

    @app.errorhandler(ValidationError)
    async def payload_error(exc: ValidationError) -> tuple[Response, int]:
        return error_response("invalid", describe(exc))

    @app.errorhandler(HTTPException)
    async def http_error(exc: HTTPException) -> tuple[Response, int] | HTTPException:
        status = exc.code or 500
        if status in _HTTP_CODES:
            return error_response(_HTTP_CODES[status], exc.description or exc.name, status)
        return exc
