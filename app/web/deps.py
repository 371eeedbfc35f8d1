"""Access to the app's services and the calling visitor from inside a request."""

from __future__ import annotations

import re
from typing import Any, cast

from quart import current_app, request

from app.domain.errors import Invalid, NotFound, Unauthorized
from app.domain.models import Visitor
from app.services.container import Services
from app.web.snapshots import Snapshots


def services() -> Services:
    return cast(Services, current_app.extensions["entraide"])


def snapshots() -> Snapshots:
    """The JSON API's room reads, rendered once per room seq."""
    return cast(Snapshots, current_app.extensions["entraide.snapshots"])


def pages() -> Snapshots:
    """The crawlable answer pages, rendered once per room stamp."""
    return cast(Snapshots, current_app.extensions["entraide.pages"])


def bearer_token() -> str | None:
    """The token of `Authorization: Bearer <token>`, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


async def current_visitor() -> Visitor:
    token = bearer_token()
    if token is None:
        raise Unauthorized("send Authorization: Bearer <visitor token>")
    return await services().identity.visitor_from_token(token)


_ENTITY_ID = re.compile(r"[0-9a-f]{16}")


def entity_id(value: str, what: str) -> str:
    """A thread, message, case or visitor id from a URL; anything else is simply not found."""
    if not _ENTITY_ID.fullmatch(value):
        raise NotFound(f"no such {what}")
    return value


async def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object (fields are checked by the use case;
    a body that is not JSON at all is `invalid`)."""
    data = await request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data
