"""Schemas of what clients send, shared by the Socket.IO gateway and the HTTP API.

Strict: unknown fields, wrong types (an operator dict like {"$ne": 1} where a string is
expected) and oversized values are refused as `invalid` before any use case runs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.domain.errors import Invalid

RoomKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")]
EntityId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# Bodies are length-checked by the domain (configurable); this cap only bounds parsing.
Body = Annotated[str, StringConstraints(max_length=20_000)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ProductInfo(Payload):
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    url: Annotated[str, StringConstraints(max_length=500, pattern=r"^(https?://.*)?$")] = ""
    category: Annotated[str, StringConstraints(max_length=60)] = ""


class NewVisitor(Payload):
    name: Annotated[str, StringConstraints(max_length=200)]
    shopper: Annotated[str, StringConstraints(max_length=300)] | None = None
    # An owner's invitation from an e-mail (one use): the visitor is that verified customer.
    invite: Annotated[str, StringConstraints(max_length=2000)] | None = None


class Join(Payload):
    room: RoomKey
    since: Annotated[int, Field(ge=0)] | None = None
    product: ProductInfo | None = None


class Leave(Payload):
    room: RoomKey


Lang = Literal["fr", "en"]


class Ask(Payload):
    room: RoomKey
    body: Body
    client_id: ClientId
    lang: Lang | None = None  # extension: the widget's language, for notices to the asker


class AskHttp(Payload):
    body: Body
    client_id: ClientId
    lang: Lang | None = None


class AnswerIn(Payload):
    thread_id: EntityId
    body: Body
    client_id: ClientId
    lang: Lang | None = None


class AnswerHttp(Payload):
    body: Body
    client_id: ClientId
    lang: Lang | None = None


class Report(Payload):
    """A report names exactly one target: an answer (`message_id`) or a question."""

    message_id: EntityId | None = None
    thread_id: EntityId | None = None
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300)]

    @model_validator(mode="after")
    def _one_target(self) -> Report:
        if (self.message_id is None) == (self.thread_id is None):
            raise ValueError("give either message_id or thread_id")
        return self


class Vote(Payload):
    message_id: EntityId
    value: Annotated[int, Field(ge=0, le=1)]


class VoteHttp(Payload):
    value: Annotated[int, Field(ge=0, le=1)]


class Accept(Payload):
    message_id: EntityId


class ThreadRef(Payload):
    thread_id: EntityId


class RateHttp(Payload):
    """The asker's two one-tap answers (`would_have_contacted` None: skipped)."""

    helpful: bool
    would_have_contacted: bool | None = None


class Rate(RateHttp):
    thread_id: EntityId


class SelfServed(Payload):
    """ "This answered my question": the instant answer that did (one of the two)."""

    thread_id: EntityId | None = None
    faq_id: EntityId | None = None

    @model_validator(mode="after")
    def _one(self) -> SelfServed:
        if (self.thread_id is None) == (self.faq_id is None):
            raise ValueError("give either thread_id or faq_id")
        return self


class FaqIn(Payload):
    """Staff promote a resolved thread to the FAQ, optionally rewording it."""

    question: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] | None = None
    answer: Body | None = None


class EmailSubscribe(Payload):
    """ "E-mail me when someone answers": the address (checked by `email-validator`) and the
    language of the e-mails and of the consent text shown."""

    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    lang: Literal["fr", "en"] = "fr"


class ShopCustomerIn(Payload):
    """The shop's purchase feed (`POST /api/v1/shop/customers`): who bought what, and
    whether they agreed (with the shop) to be asked about it."""

    customer_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_:@-]{1,100}$")]
    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    lang: Literal["fr", "en"] = "fr"
    purchased: Annotated[list[RoomKey], Field(max_length=500)] = []
    owner_questions: bool = False


def normalized_email(raw: str) -> str:
    """The address as `email-validator` normalises it (syntax only: no DNS at request
    time), or Invalid saying what is wrong."""
    try:
        return str(validate_email(raw, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise Invalid(f"email: {exc}") from None


P = TypeVar("P", bound=Payload)


def parse(model: type[P], data: Any) -> P:
    """Validate `data` against `model` or raise Invalid with a short, field-named reason
    (a `model` instance, built by a trusted caller, is already valid)."""
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise Invalid("the payload must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """The first problem, naming its field: enough for a developer, safe to show anyone."""
    errors = exc.errors()
    if not errors:
        return "the payload does not match the documented schema"
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "payload"
    reason = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
    return f"{where}: {reason}"
