"""One mapping from domain errors (and HTTP-level refusals) to protocol error bodies.

Bodies that are not JSON, cut short or nested deeper than the decoder's stack, are
`invalid` (400) wherever a body is read: the app's JSON provider turns the decoder's
RecursionError into the ValueError of any malformed JSON, and the request class answers
that with `Invalid`. Every error on `/api/` is a JSON body, a 500 too.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from quart import Quart, Request, Response, jsonify, request
from quart.json.provider import DefaultJSONProvider
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.domain.errors import EntraideError, Invalid
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


class JSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None


class JSONRequest(Request):
    def on_json_loading_failed(self, error: Exception) -> Any:
        """Quart answers an HTML 400 with no reason; say what is wrong, as JSON."""
        raise Invalid(f"the body is not valid JSON ({error})")


async def optional_json() -> Any:
    """The JSON body of a write whose body is optional: None when there is none. A body
    that is there must be JSON (whatever its Content-Type): one that is not is `invalid`,
    never taken for an empty body."""
    if not await request.get_data():
        return None
    return await request.get_json(force=True)


def init_app(app: Quart) -> None:
    app.json = JSONProvider(app)
    app.request_class = JSONRequest

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

    @app.errorhandler(RecursionError)
    async def too_deep(exc: RecursionError) -> tuple[Response, int]:
        """Input nested deep enough to exhaust the stack somewhere past the decoder."""
        return error_response("invalid", "the request is nested too deeply")

    @app.errorhandler(InternalServerError)
    async def internal_error(exc: InternalServerError) -> tuple[Response, int] | HTTPException:
        """Quart has logged the failure already; an API client still gets a JSON body."""
        if request.path.startswith("/api/"):
            return error_response("unavailable", "something went wrong on our side", 500)
        return exc
