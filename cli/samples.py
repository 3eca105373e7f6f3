"""`python -m cli.samples ...`: the sample generator's command, still offered from the CLI package.

The generator itself is the top-level `samples` package (also `python -m samples`); this only runs its command.
"""

from __future__ import annotations

import sys

from samples.__main__ import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m cli.samples"))
