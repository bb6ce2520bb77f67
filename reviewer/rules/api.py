"""API compatibility, base -> head: what a deployed client of the service would see break, or
trip over (a request field that accepts less)."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.rules.registry import Hit, RuleContext, Scope, Speaks, rule
from reviewer.services.api import ApiSurface
from reviewer.services.api_diff import Change, Differ
from reviewer.services.build import build_service_model


def _changes(ctx: RuleContext) -> list[Change]:
    """Every breaking change of the run, computed once; none in an audit (no base side)."""
    base = ctx.base
    if base is None:
        return []

    def build() -> list[Change]:
        model = build_service_model(ctx.project, ctx.service_roots)

        def root_of(path: str) -> str:
            owner = model.owner_of(path)
            return owner.root or "" if owner is not None else ""

        head_files = list(ctx.project.of_kind(FileKind.PYTHON))
        base_files = {f.path: f for f in head_files}  # unchanged files are the same on both sides
        base_files.update({f.path: f for f in base.of_kind(FileKind.PYTHON)})
        differ = Differ(ApiSurface(base_files.values(), root_of), ApiSurface(head_files, root_of),
                        set(ctx.project.files))
        return list(differ.changes())

    return ctx.project.memo(f"apidiff:{id(base)}", build)  # type: ignore[return-value]


def _hits(ctx: RuleContext, rule_id: str) -> Iterator[Hit]:
    for change in _changes(ctx):
        if change.rule_id == rule_id:
            yield Hit(change.line, change.detail, path=change.path, fix=change.fix)


@rule("api-response-field-removed", category=Category.BOUNDARIES, severity=Severity.ERROR, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def response_field_removed(ctx: RuleContext) -> Iterator[Hit]:
    """Field removed from a response model

    Why: clients already deployed read this field; after the release they get a KeyError or a
    validation error, and they cannot all be updated in the same deploy. Keep the field (mark it
    deprecated) until every consumer has moved, or publish a new API version.

    Fix:
        class OrderOut(BaseModel):
            id: int
            total_cents: int
            total: float | None = Field(None, deprecated=True)  # kept until clients move to total_cents
    """
    yield from _hits(ctx, "api-response-field-removed")


@rule("api-request-field-now-required", category=Category.BOUNDARIES, severity=Severity.ERROR, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def request_field_now_required(ctx: RuleContext) -> Iterator[Hit]:
    """Request model gained a required field

    Why: every existing client sends requests without it, and FastAPI answers them with 422 as
    soon as this deploys. Add new request fields with a default, and make them required only in
    a new API version.

    Fix:
        class OrderIn(BaseModel):
            item_id: int
            quantity: int = 1
            coupon: str | None = None  # new fields are optional
    """
    yield from _hits(ctx, "api-request-field-now-required")


@rule("api-field-type-changed", category=Category.BOUNDARIES, severity=Severity.ERROR, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def field_type_changed(ctx: RuleContext) -> Iterator[Hit]:
    """Type of a request or response field changed on the wire

    Why: clients serialise and parse the old type; a string that became an int, or a value that
    can now be null, fails their validation or ours. Add a new field with the new type and
    deprecate the old one, or version the endpoint. (A response type that still sends the same
    JSON, such as `str` -> `EmailStr` or `datetime`, is not a change for clients.)

    Fix:
        class OrderOut(BaseModel):
            id: int
            total: str                 # unchanged for existing clients
            total_cents: int | None = None  # the new representation, added alongside
    """
    yield from _hits(ctx, "api-field-type-changed")


@rule("api-request-field-tightened", category=Category.BOUNDARIES, severity=Severity.WARNING, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def request_field_tightened(ctx: RuleContext) -> Iterator[Hit]:
    """Request field accepts fewer values than before

    Why: a narrower type (`str` -> `EmailStr`, `int` -> `PositiveInt`, a `Literal`) or a new bound
    (`min_length`, `max_length`, `pattern`, `gt`) turns requests that worked yesterday into 422s.
    Clients that always sent valid values are unaffected, so this is not a breaking change, but
    check what deployed clients send before tightening, or accept the old form for a while.

    Fix:
        class CustomerIn(BaseModel):
            email: str  # as released; validate new sign-ups in the handler, or
            contact_email: EmailStr | None = None  # add the validated field alongside
    """
    yield from _hits(ctx, "api-request-field-tightened")


@rule("api-route-removed", category=Category.BOUNDARIES, severity=Severity.ERROR, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def route_removed(ctx: RuleContext) -> Iterator[Hit]:
    """Route removed without being deprecated first

    Why: callers of this method and path get 404 (or 405) the moment this deploys. Mark the
    route `deprecated=True` for a release so clients see it in the OpenAPI docs, and remove it
    once traffic is gone.

    Fix:
        @router.get("/orders/{order_id}/summary", deprecated=True)
        async def order_summary(order_id: int) -> OrderSummary:
            return await get_summary(order_id)
    """
    yield from _hits(ctx, "api-route-removed")


@rule("api-enum-value-removed", category=Category.BOUNDARIES, severity=Severity.WARNING, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def enum_value_removed(ctx: RuleContext) -> Iterator[Hit]:
    """Enum or Literal value removed from what a request accepts

    Why: clients still send the value, and get 422 from now on. Keep accepting it and map it to
    its replacement until no client uses it. (A value a response no longer sends breaks no
    reader: that is not reported.)

    Fix:
        class OrderStatus(StrEnum):
            PENDING = "pending"
            PAID = "paid"
            CANCELLED = "cancelled"
            VOID = "void"  # kept: old clients send it; the handler treats it as CANCELLED
    """
    yield from _hits(ctx, "api-enum-value-removed")


@rule("api-success-status-changed", category=Category.BOUNDARIES, severity=Severity.WARNING, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def success_status_changed(ctx: RuleContext) -> Iterator[Hit]:
    """Success status code of a route changed

    Why: clients that check for the exact status (`resp.status_code == 200`, generated SDKs)
    treat the new one as an error. Keep the status, or change it in a new API version.

    Fix:
        @router.post("/orders", status_code=status.HTTP_201_CREATED)  # as released; do not change
        async def create_order(body: OrderIn) -> OrderOut:
            ...
    """
    yield from _hits(ctx, "api-success-status-changed")
