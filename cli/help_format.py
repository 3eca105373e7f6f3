"""Help that shows each option's default (when it has a meaningful one) without repeating it."""

from __future__ import annotations

import argparse


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Appends `(default: X)` to an option's help unless the default is empty, False, suppressed or already said."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "(default" in text
            or "%(default)" in text
            or default in (None, False, argparse.SUPPRESS, [])
            or isinstance(action, argparse._HelpAction | argparse._VersionAction | argparse._CountAction)
            or action.option_strings == []
        ):
            return text
        return f"{text} (default: %(default)s)"
