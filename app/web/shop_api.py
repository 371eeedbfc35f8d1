"""The shop's server-to-server API: its purchase feed for "ask the owners".

`Authorization: Bearer <ENTRAIDE_SHOP_API_KEY>` on every call; the key never reaches a
browser (the shop calls from its own server, e.g. after each order).
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import document_request

from app.services import payloads as p
from app.web.deps import bearer_token, json_object, services

bp = Blueprint("shop_api", __name__, url_prefix="/api/v1/shop")


@bp.post("/customers")
@document_request(p.ShopCustomerIn)
async def save_customer() -> dict[str, Any]:
    """Upsert a customer (the id the shop signs in verified shopper identities), add what they
    bought (room keys), and whether they agreed to be asked about it (`owner_questions`)."""
    owners = services().owners
    owners.check_key(bearer_token())
    customer, purchased = await owners.save_customer(await json_object())
    return {
        "customer_id": customer.customer_id,
        "owner_questions": customer.owner_questions,
        "purchased": purchased,
    }
