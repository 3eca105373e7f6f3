"""When each sweeper runs (EventBridge schedule expressions, UTC). Read by the Pulumi program."""

from __future__ import annotations

SCHEDULES: dict[str, str] = {
    "pending": "cron(0 2 ? * SUN *)",  # weekly: PENDING labels the stream path missed
    "metadata": "cron(0 2 ? * WED *)",  # weekly: receipt metadata against the receipt (and Places)
    "reverify": "cron(0 2 1 */3 ? *)",  # quarterly: VALID/INVALID labels against current rules
}

SWEEPER_HANDLERS: dict[str, str] = {
    "pending": "sweepers.pending.lambda_handler",
    "metadata": "sweepers.metadata.lambda_handler",
    "reverify": "sweepers.reverify.lambda_handler",
}

STREAM_HANDLER = "stream_handlers.handler.lambda_handler"
