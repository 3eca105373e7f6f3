"""A Lambda-like context for running a sweep outside Lambda (the CLI, tests): a time budget and a name."""

from __future__ import annotations

import time


class LocalContext:
    """Answers `get_remaining_time_in_millis()` from a monotonic deadline, as the Lambda context does."""

    def __init__(self, budget_s: float, function_name: str = "receipt-validator-local") -> None:
        self.function_name = function_name
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.aws_request_id = "local"
        self.memory_limit_in_mb = 0
        self._deadline = time.monotonic() + budget_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
