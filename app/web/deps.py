"""Access to the app's services and the calling visitor from inside a request."""

from __future__ import annotations

from typing import cast

from quart import current_app, request

from app.domain.errors import Unauthorized
from app.domain.models import Visitor
from app.services.container import Services


def services() -> Services:
    return cast(Services, current_app.extensions["entraide"])


async def current_visitor() -> Visitor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send Authorization: Bearer <visitor token>")
    return await services().identity.visitor_from_token(token.strip())
