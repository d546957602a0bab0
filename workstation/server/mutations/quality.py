"""Quality and feedback: QA evaluations by team leads, callbacks after an unsatisfied rating."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workstation.domain import qa as qa_rules
from workstation.domain.enums import Rating
from workstation.domain.errors import DomainError
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.mutations.base import (
    LEADS,
    STAFF,
    Args,
    Body,
    Id,
    MutationRejected,
    Text,
    domain_rejection,
    mutation,
    require_role,
    visible_conversation,
)
from workstation.server.scope import conversation_filter
from workstation.server.tables import Conversation, QaEvaluation, Survey

Score = Annotated[int, Field(ge=0, le=5)]


class Scores(Args):
    timeliness: Score
    compliance: Score
    courtesy: Score
    resolution: Score


class QaArgs(Args):
    evaluation_id: Id
    conversation_id: Id
    agent_id: Id | None = None
    scores: Scores
    comment: Text = ""
    corrective_action: Text | None = None
    amends: Id | None = None


@mutation("record_qa_evaluation", QaArgs)
def record_qa_evaluation(
    session: Session, ctx: ServerContext, principal: Principal, args: QaArgs
) -> None:
    """A team lead scores a conversation; insert-only, a correction amends an earlier one."""
    require_role(principal, LEADS, "recording a QA evaluation")
    found = session.get(QaEvaluation, args.evaluation_id)
    if found is not None:
        if found.evaluator_id == principal.id and found.conversation_id == args.conversation_id:
            return  # evaluations are immutable: a replay changes nothing
        raise MutationRejected("id_conflict", f"evaluation id {args.evaluation_id} is already used")
    conv = visible_conversation(session, principal, args.conversation_id, lock=False)
    if args.amends is not None:
        earlier = session.get(QaEvaluation, args.amends)
        if earlier is None or earlier.conversation_id != conv.id:
            raise MutationRejected(
                "unknown_amends", f"args.amends: no evaluation {args.amends} of this conversation"
            )
    scores = args.scores.model_dump()
    try:
        result = qa_rules.score_evaluation(ctx.policy, scores)
    except DomainError as exc:
        raise domain_rejection(exc) from None
    corrective = (args.corrective_action or "").strip() or None
    if result.failed_items and corrective is None:
        failed = ", ".join(result.failed_items)
        raise MutationRejected(
            "corrective_action_required",
            f"args.corrective_action: failed items ({failed}) need a corrective action",
        )
    session.add(
        QaEvaluation(
            id=args.evaluation_id,
            conversation_id=conv.id,
            agent_id=args.agent_id or conv.assignee_id,
            evaluator_id=principal.id,
            scores=scores,
            total=result.total,
            passed=result.passed,
            comment=args.comment,
            corrective_action=corrective,
            amends=args.amends,
            created_at=ctx.clock(),
        )
    )


class CallbackArgs(Args):
    survey_id: Id
    notes: Body
    done: bool = True


@mutation("record_survey_callback", CallbackArgs)
def record_survey_callback(
    session: Session, ctx: ServerContext, principal: Principal, args: CallbackArgs
) -> None:
    """Notes of the callback after an unsatisfied rating: the reason and what the customer wants."""
    require_role(principal, STAFF, "recording a survey callback")
    stmt = select(Survey).where(Survey.id == args.survey_id)
    if not principal.sees_everything:
        visible = select(Conversation.id).where(conversation_filter(principal))
        stmt = stmt.where(or_(Survey.conversation_id.is_(None), Survey.conversation_id.in_(visible)))
    survey = session.execute(stmt.with_for_update()).scalar_one_or_none()
    if survey is None:
        raise MutationRejected("not_found", f"survey {args.survey_id} does not exist or is not yours")
    rating = Rating(survey.rating) if survey.rating else None
    if rating is None or rating not in ctx.policy.surveys.callback_ratings:
        shown = rating.value if rating else "no rating yet"
        raise MutationRejected("no_callback_needed", f"the survey's rating ({shown}) asks for no callback")
    survey.callback_notes = args.notes
    if args.done and survey.callback_done_at is None:
        survey.callback_done_at = ctx.clock()
