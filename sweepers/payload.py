"""The sweeper Lambdas' input (CONTRACT §5), validated before any work starts.

Every key is optional; an EventBridge scheduled event means "full sweep". A payload that does not validate gives a
clear error response instead of a stack trace, because a manual invocation is typed by a person.
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
    """One sweep request. `chain` counts self-invocations so far (0 for a scheduled or manual start)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    receipts: list[ReceiptRef] | None = Field(default=None, description="only these receipts (the manual run)")
    limit: int | None = Field(default=None, ge=1, description="at most this many receipts, across continuations")
    dry_run: bool = False
    cursor: str | None = Field(default=None, min_length=1, description="resume after this point (opaque)")
    chain: int = Field(default=0, ge=0)

    def as_event(self) -> dict[str, Any]:
        """The JSON payload that reproduces this request (continuations, `invoke`)."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def is_scheduled_event(event: Any) -> bool:
    return isinstance(event, dict) and event.get("source") == "aws.events" and "detail-type" in event


def parse_event(event: Any) -> SweepPayload:
    """A SweepPayload from whatever the Lambda received; BadPayload names what is wrong."""
    if event is None or is_scheduled_event(event):
        return SweepPayload()
    if not isinstance(event, dict):
        raise BadPayload([f"payload must be a JSON object, got {type(event).__name__}"])
    try:
        return SweepPayload.model_validate(event)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "payload"
            problems.append(f"{where}: {err['msg']}")
        raise BadPayload(problems) from None
