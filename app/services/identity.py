"""Visitors: creation with a clean display name (and, when the shop vouches for it, its
customer id, and a keyed hash of the network it came from), and the opaque signed token
they keep."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re

from itsdangerous import BadSignature, URLSafeSerializer

from app.domain.errors import Invalid, Unauthorized
from app.domain.models import Visitor, new_id, utcnow
from app.domain.text import clean_display_name
from app.store.port import VisitorStore

SHOPPER_ID = re.compile(r"[A-Za-z0-9_:@-]{1,100}")
# How much of a client address names "one network" for rewards (docs/rewards.md, "Throwaway
# identities"): an IPv4 /24 (a box, an office, a provider's neighbouring addresses) and an
# IPv6 /64 (the usual single subscriber's LAN; the device part changes at will).
IPV4_PREFIX = 24
IPV6_PREFIX = 64


def client_network(address: str | None) -> str | None:
    """The network a client address belongs to ("81.250.40.0/24"), or None when it says
    nothing about the shopper: missing, not an address, or not a public one (loopback,
    private, link-local: a proxy whose forwarded address is not trusted, or a test)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global:
        return None
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def network_key(secret: str, address: str | None) -> str | None:
    """A keyed hash (HMAC-SHA256 with the app's secret key, 128 bits) of the client's
    network: equal for two visitors of one network, and neither the address nor the
    network is stored (a /24 is easy to enumerate, so a plain hash would not hide it)."""
    network = client_network(address)
    if network is None:
        return None
    digest = hmac.new(secret.encode(), b"entraide.network:" + network.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def shopper_signature(secret: str, shopper_id: str) -> str:
    """What the shop computes on its server: hex HMAC-SHA256 of its customer id."""
    return hmac.new(secret.encode(), shopper_id.encode(), hashlib.sha256).hexdigest()


class Identity:
    def __init__(
        self, store: VisitorStore, secret_key: str, shopper_secret: str | None = None
    ) -> None:
        self._store = store
        self._signer = URLSafeSerializer(secret_key, salt="entraide.visitor")
        self._secret_key = secret_key
        self._shopper_secret = shopper_secret

    def verified_shopper(self, token: str | None) -> str | None:
        """The shop's customer id from `<id>.<hex HMAC-SHA256(secret, id)>`, or Invalid."""
        if token is None:
            return None
        if self._shopper_secret is None:
            raise Invalid("this shop does not verify shopper identities")
        shopper_id, _, signature = token.rpartition(".")
        expected = shopper_signature(self._shopper_secret, shopper_id)
        if not SHOPPER_ID.fullmatch(shopper_id) or not hmac.compare_digest(signature, expected):
            raise Invalid("shopper: the signature does not match")
        return shopper_id

    async def create_visitor(
        self, raw_name: str, shopper_token: str | None = None, client_address: str | None = None,
        *, customer_id: str | None = None,
    ) -> tuple[Visitor, str]:  # fmt: skip
        """`client_address`: the address the request came from (as the trusted proxy
        reports it); only its network's keyed hash is kept. `customer_id`: a shop customer
        already vouched for (an owner's invitation)."""
        visitor = Visitor(
            id=new_id(),
            name=clean_display_name(raw_name),
            created_at=utcnow(),
            shopper_id=customer_id or self.verified_shopper(shopper_token),
            network_key=network_key(self._secret_key, client_address),
        )
        await self._store.add_visitor(visitor)
        return visitor, self.token_for(visitor)

    def token_for(self, visitor: Visitor) -> str:
        return str(self._signer.dumps({"v": visitor.id}))

    async def visitor_from_token(self, token: object) -> Visitor:
        """The visitor a token names, or Unauthorized (bad signature, unknown, not a str)."""
        if not isinstance(token, str) or len(token) > 200:
            raise Unauthorized("a valid visitor token is required")
        try:
            claims = self._signer.loads(token)
        except BadSignature:
            raise Unauthorized("this visitor token is not valid") from None
        visitor_id = claims.get("v") if isinstance(claims, dict) else None
        visitor = await self._store.get_visitor(visitor_id) if isinstance(visitor_id, str) else None
        if visitor is None:
            raise Unauthorized("this visitor no longer exists")
        if visitor.erased_at is not None:
            raise Unauthorized("this visitor's data was erased")
        return visitor
