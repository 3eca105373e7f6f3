"""Exit statuses (README, "Exit status") and the error that means 'bad usage or input'."""

EXIT_OK = 0
EXIT_WORK_FAILED = 1  # it ran, but some work failed (named on stderr)
EXIT_USAGE = 2  # bad usage, bad input, or a configuration that prevents any work; nothing written
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


class UsageError(Exception):
    """Bad usage, bad input or a configuration that prevents any work: nothing was written (exit 2)."""
