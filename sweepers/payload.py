"""The sweeper Lambdas' input (CONTRACT §5), validated before any work starts.

Every key is optional; an EventBridge scheduled event means "full sweep". A payload that does not validate gives a
clear error response instead of a stack trace, because a manual invocation is typed by a person.

Besides a sweep request, the state machine sends two small requests of its own to the same function: `{"plan": ...}`
(split a request into segment payloads) and `{"merge": [...]}` (add segment summaries into the execution's total).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.model import ReceiptRef


class BadPayload(ValueError):
    """The invocation's input cannot be a sweep request; `problems` names each bad field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class SweepPayload(BaseModel):
    """One sweep request, or one slice of a sweep run by the state machine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    receipts: list[ReceiptRef] | None = Field(default=None, description="only these receipts (the manual run)")
    limit: int | None = Field(default=None, ge=1, description="at most this many receipts, across slices")
    dry_run: bool = False
    cursor: str | None = Field(default=None, min_length=1, description="resume after this point (opaque)")
    segment: str | None = Field(default=None, description="one key range of the listing ('0'..'f'); None: all")
    persist: bool = Field(default=False, description="save the segment's position in the table after the slice")
    carry: dict[str, Any] | None = Field(default=None, description="summary of this segment's earlier slices")

    def as_event(self) -> dict[str, Any]:
        """The JSON payload that reproduces this request (continuations, `invoke`)."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


class PlanRequest(BaseModel):
    """`{"plan": <sweep payload>}`: which segment payloads a state machine execution should run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    plan: SweepPayload


class MergeRequest(BaseModel):
    """`{"merge": [<summary>, ...]}`: the total of an execution's segment summaries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    merge: list[dict[str, Any]]


def is_scheduled_event(event: Any) -> bool:
    return isinstance(event, dict) and event.get("source") == "aws.events" and "detail-type" in event


def _problems(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "payload"
        problems.append(f"{where}: {err['msg']}")
    return problems


def parse_event(event: Any) -> SweepPayload:
    """A SweepPayload from whatever the Lambda received; BadPayload names what is wrong."""
    if event is None or is_scheduled_event(event):
        return SweepPayload()
    if not isinstance(event, dict):
        raise BadPayload([f"payload must be a JSON object, got {type(event).__name__}"])
    try:
        return SweepPayload.model_validate(event)
    except ValidationError as exc:
        raise BadPayload(_problems(exc)) from None


def parse_request(event: Any) -> SweepPayload | PlanRequest | MergeRequest:
    """A sweep payload, or one of the state machine's plan and merge requests."""
    if isinstance(event, dict) and ("plan" in event or "merge" in event):
        model = PlanRequest if "plan" in event else MergeRequest
        try:
            return model.model_validate(event)
        except ValidationError as exc:
            raise BadPayload(_problems(exc)) from None
    return parse_event(event)
