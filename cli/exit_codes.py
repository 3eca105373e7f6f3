"""Exit statuses (CONTRACT §4) and the error that means 'bad usage or input'."""

EXIT_OK = 0
EXIT_WORK_FAILED = 1  # it ran, but some work failed (named on stderr)
EXIT_USAGE = 2  # bad usage or bad input; nothing written


class UsageError(Exception):
    """Bad usage or bad input: nothing was written (exit 2)."""
