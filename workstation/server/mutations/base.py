"""The mutation registry and what every handler shares: rejections, scope look-ups, arg types."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from sqlalchemy import ColumnElement, Table, or_, select, update
from sqlalchemy.orm import Session

from workstation.domain.enums import Role
from workstation.domain.errors import DomainError, InvalidTransition
from workstation.server import changes
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.scope import conversation_filter
from workstation.server.tables import (
    Base,
    Call,
    Case,
    CaseEvent,
    CompensationOffer,
    Conversation,
    Message,
    QaEvaluation,
    Survey,
)


class MutationRejected(Exception):
    """A business refusal: the mutation id is used up and the reason goes back to the user."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


Handler = Callable[[Session, ServerContext, Principal, Any], None]


@dataclass(frozen=True, kw_only=True)
class MutationSpec:
    name: str
    args: type[BaseModel]
    handler: Handler
    summary: str


REGISTRY: dict[str, MutationSpec] = {}

A = TypeVar("A", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., None])


def mutation(name: str, args: type[A]) -> Callable[[F], F]:
    """Register ``handler(session, ctx, principal, args)`` under ``name``."""

    def register(handler: F) -> F:
        if name in REGISTRY and REGISTRY[name].handler is not handler:
            raise RuntimeError(f"mutation {name!r} registered twice")
        REGISTRY[name] = MutationSpec(
            name=name, args=args, handler=handler, summary=(handler.__doc__ or "").strip()
        )
        return handler

    return register


# --- argument types --------------------------------------------------------------------


def _find_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_nul(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_nul(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


class Args(BaseModel):
    """Arguments of a mutation: unknown fields are an error, never silently dropped.

    NUL characters are refused everywhere: PostgreSQL cannot store them, and a value one
    backend accepts and the other refuses would make a mutation's fate depend on the database.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        where = _find_nul(data, "")
        if where:
            raise ValueError(f"{where} contains a NUL character")
        return data


Id = Annotated[
    str,
    StringConstraints(
        min_length=36,
        max_length=36,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ),
]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Short = Annotated[str, StringConstraints(max_length=300)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")]


def _no_float(value: Any) -> Any:
    if isinstance(value, float) or isinstance(value, bool):
        raise ValueError("money must be a decimal string like \"12.50\", not a float")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(ge=0, le=Decimal("100000000"), max_digits=12, decimal_places=2),
]


# --- roles and scope -------------------------------------------------------------------

STAFF = frozenset({Role.AGENT, Role.SENIOR_AGENT, Role.TEAM_LEAD, Role.ADMIN})
LEADS = frozenset({Role.TEAM_LEAD, Role.ADMIN})


def require_role(principal: Principal, roles: Iterable[Role], what: str) -> None:
    allowed = frozenset(roles)
    if principal.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise MutationRejected(
            "forbidden", f"{what} needs one of the roles {names}; you are {principal.role.value}"
        )


def visible_conversation(
    session: Session, principal: Principal, conversation_id: str, *, lock: bool = True
) -> Conversation:
    """The conversation, if the caller's scope includes it (locked for update on PostgreSQL)."""
    stmt = select(Conversation).where(
        Conversation.id == conversation_id, conversation_filter(principal)
    )
    if lock:
        stmt = stmt.with_for_update()
    conv = session.execute(stmt).scalar_one_or_none()
    if conv is None:
        raise MutationRejected(
            "not_found", f"conversation {conversation_id} does not exist or is not in your queues"
        )
    return conv


def case_filter(principal: Principal) -> ColumnElement[bool]:
    """Cases a caller may see and act on: those of visible conversations, or opened by them."""
    visible = select(Conversation.id).where(conversation_filter(principal))
    return or_(Case.conversation_id.in_(visible), Case.created_by == principal.id)


def local_today(ctx: ServerContext) -> date:
    now: datetime = ctx.clock()
    return now.astimezone(ctx.policy.time_zone).date()


def tenure_months(ctx: ServerContext, principal: Principal) -> int:
    return principal.tenure_months(local_today(ctx))


def domain_rejection(exc: DomainError) -> MutationRejected:
    """A rule of the domain refused: pass its explanation on, naming the field."""
    code = "invalid_transition" if isinstance(exc, InvalidTransition) else "rule_violation"
    where = f" (field {exc.field})" if exc.field else ""
    return MutationRejected(code, f"{exc}{where}")


def existing(session: Session, model: type[Base], ident: str) -> Any:
    return session.get(model, ident)


# --- visibility changes ----------------------------------------------------------------

_CHILDREN: tuple[type[Base], ...] = (Message, Call, Case, CompensationOffer, QaEvaluation, Survey)


def restamp_conversation(session: Session, conversation_id: str) -> int:
    """Give a conversation's related rows fresh change_seq values.

    Pull filters by scope, so when a conversation moves to another person or queue its older
    messages, cases … (below the new viewer's cursor) must come round again to reach them.
    Returns the number of rows re-stamped.
    """
    targets: list[tuple[type[Base], str]] = []
    for model in _CHILDREN:
        table = cast(Table, model.__table__)
        ids = session.execute(select(table.c.id).where(table.c.conversation_id == conversation_id)).scalars()
        targets += [(model, i) for i in ids]
        if model is Case:
            case_ids = [i for m, i in targets if m is Case]
            if case_ids:
                events = session.execute(
                    select(CaseEvent.id).where(CaseEvent.case_id.in_(case_ids))
                ).scalars()
                targets += [(CaseEvent, i) for i in events]
    if not targets:
        return 0
    last = changes.allocate(session, len(targets))
    first = last - len(targets) + 1
    for offset, (model, ident) in enumerate(targets):
        table = cast(Table, model.__table__)
        session.execute(
            update(table).where(table.c.id == ident).values(change_seq=first + offset)
        )
    return len(targets)
