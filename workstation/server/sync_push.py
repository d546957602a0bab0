"""Push: apply a client's mutations with the mutation-id rule (ARCHITECTURE.md, "Sync protocol").

Per mutation, in order, each in its own write transaction:

* id <= last applied: a duplicate. Nothing is done; a stored rejection is returned again.
* id == last + 1: the handler runs inside a savepoint; the effect, the new last-applied id and a
  MutationResult row commit together. A business rejection (`MutationRejected`, bad args, an
  unknown name) rolls the savepoint back but still advances the id and stores the rejection.
* id > last + 1: a gap; the batch stops.

Anything else that goes wrong (the database, a bug) is transient: that transaction rolls back,
the id does not advance and the batch stops; the client retries later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from workstation.domain.errors import DomainError
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.mutations import MutationRejected, registry
from workstation.server.mutations.base import domain_rejection
from workstation.server.problems import Problem, forbidden
from workstation.server.tables import Client, MutationResult
from workstation.sync.protocol import (
    SCHEMA_VERSION,
    Mutation,
    MutationOutcome,
    PushRequest,
    PushResponse,
)

log = logging.getLogger("workstation.server.sync")


@dataclass(frozen=True, kw_only=True)
class PushResult:
    response: PushResponse
    applied: int  # how many mutations had an effect (for the hint hub)


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "args"
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        elif err.get("type") == "missing":
            message = "required field is missing"
        else:
            message = str(err.get("msg", "invalid value"))
        parts.append(f"args.{where}: {message}" if where != "args" else f"args: {message}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _bind_client(ctx: ServerContext, principal: Principal, client_id: str) -> int:
    """Find or create the client row; it belongs to the first user who pushed with it."""
    now = ctx.clock()
    for _attempt in range(2):
        try:
            with ctx.db.write() as session:
                client = session.get(Client, client_id)
                if client is None:
                    client = Client(
                        client_id=client_id, user_id=principal.id, last_applied=0, created_at=now, last_seen_at=now
                    )
                    session.add(client)
                elif client.user_id != principal.id:
                    raise forbidden(
                        f"client {client_id!r} belongs to another user; sign in as that user or "
                        "start a fresh installation"
                    )
                else:
                    client.last_seen_at = now
                return int(client.last_applied)
        except IntegrityError:  # two first pushes raced to create the row: read it again
            continue
    raise RuntimeError("could not register the client")


def _validate(mutation: Mutation) -> tuple[Any, Any]:
    """The handler and its parsed args, or a rejection naming what is wrong."""
    if mutation.schema_version > SCHEMA_VERSION:
        raise MutationRejected(
            "unsupported_schema_version",
            f"this server speaks schema version {SCHEMA_VERSION}, the mutation has {mutation.schema_version}",
        )
    spec = registry().get(mutation.name)
    if spec is None:
        raise MutationRejected("unknown_mutation", f"name: there is no mutation called {mutation.name!r}")
    try:
        args = spec.args.model_validate(mutation.args)
    except ValidationError as exc:
        raise MutationRejected("invalid_args", describe_validation(exc)) from None
    return spec.handler, args


def _apply_one(
    session: Session, ctx: ServerContext, principal: Principal, client: Client, mutation: Mutation
) -> MutationOutcome:
    try:
        handler, args = _validate(mutation)
        with session.begin_nested():
            handler(session, ctx, principal, args)
            session.flush()
        outcome = MutationOutcome(mutation_id=mutation.mutation_id, status="applied")
    except (IntegrityError, DataError) as exc:
        # Deterministic refusals by the database: a row clashing with one already there (a
        # reused id), or a value it cannot store (a NUL character on PostgreSQL). Retrying
        # would fail the same way forever, so they are rejections, not transient failures.
        first_line = (str(exc.orig).splitlines() or [""])[0][:300]
        if isinstance(exc, IntegrityError):
            code, reason = "conflict", f"the change clashes with existing data: {first_line}"
        else:
            code, reason = "invalid_data", f"a value cannot be stored: {first_line}"
        outcome = MutationOutcome(mutation_id=mutation.mutation_id, status="rejected", code=code, reason=reason)
    except DomainError as exc:  # a rule the handler did not translate itself
        rejection = domain_rejection(exc)
        outcome = MutationOutcome(
            mutation_id=mutation.mutation_id, status="rejected", code=rejection.code, reason=rejection.reason
        )
    except MutationRejected as rejection:
        outcome = MutationOutcome(
            mutation_id=mutation.mutation_id, status="rejected", code=rejection.code, reason=rejection.reason
        )
    client.last_applied = mutation.mutation_id
    client.last_seen_at = ctx.clock()
    session.add(
        MutationResult(
            client_id=client.client_id,
            mutation_id=mutation.mutation_id,
            name=mutation.name[:60],
            status=outcome.status,
            code=outcome.code,
            reason=outcome.reason,
            at=ctx.clock(),
        )
    )
    return outcome


def _duplicate(session: Session, client_id: str, mutation_id: int) -> MutationOutcome:
    stored = session.get(MutationResult, (client_id, mutation_id))
    if stored is not None and stored.status == "rejected":
        return MutationOutcome(mutation_id=mutation_id, status="rejected", code=stored.code, reason=stored.reason)
    return MutationOutcome(mutation_id=mutation_id, status="duplicate")


def _gap(mutation_id: int, last: int) -> MutationOutcome:
    if last == 0:
        # The server knows nothing this installation sent before (a new database, or a
        # restored one): the client must resync from scratch, keeping its unsent outbox.
        return MutationOutcome(
            mutation_id=mutation_id,
            status="gap",
            code="client_unknown",
            reason="the server has no record of this installation's earlier changes; "
            "resync from scratch and send the unsent changes again from 1",
        )
    return MutationOutcome(
        mutation_id=mutation_id,
        status="gap",
        code="gap",
        reason=f"the server has applied up to {last}; send {last + 1} first",
    )


def push(ctx: ServerContext, principal: Principal, request: PushRequest) -> PushResult:
    try:
        last = _bind_client(ctx, principal, request.client_id)
    except Problem:
        raise
    except Exception:
        log.exception("could not register client %s", request.client_id)
        raise Problem(
            503, "Service unavailable", "the server cannot take changes right now; try again shortly",
            kind="unavailable", headers={"Retry-After": "5"},
        ) from None
    results: list[MutationOutcome] = []
    applied = 0
    for mutation in request.mutations:
        try:
            with ctx.db.write() as session:
                client = session.execute(
                    select(Client).where(Client.client_id == request.client_id).with_for_update()
                ).scalar_one()
                last = int(client.last_applied)
                if mutation.mutation_id <= last:
                    results.append(_duplicate(session, client.client_id, mutation.mutation_id))
                    continue
                if mutation.mutation_id > last + 1:
                    results.append(_gap(mutation.mutation_id, last))
                    break
                outcome = _apply_one(session, ctx, principal, client, mutation)
            # Committed: the effect and the new last-applied id are durable together.
            last = mutation.mutation_id
            results.append(outcome)
            if outcome.status == "applied":
                applied += 1
        except Exception:
            log.exception(
                "mutation %s #%s from client %s failed; the batch stops without advancing",
                mutation.name,
                mutation.mutation_id,
                request.client_id,
            )
            break
    return PushResult(response=PushResponse(results=results, last_applied=last), applied=applied)
