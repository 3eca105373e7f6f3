"""Judging: facts about a receipt turned into evidence about one claim, one module per family of labels."""
