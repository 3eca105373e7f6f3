"""A conditional UpdateItem, said as a PartiQL UPDATE statement with the same conditions (for BatchExecuteStatement).

`BatchExecuteStatement` takes up to 25 write statements per call and answers each one on its own (a refused condition
is that statement's `ConditionalCheckFailed`), so a batch keeps a lost race per label while making one call instead
of 25. The statement is derived from the very UpdateItem arguments the store sends
(`store.conditions.verdict_update`), token by token, so it cannot drift from them: `attribute_exists(x)` becomes
`x IS NOT MISSING`, `attribute_not_exists(x)` `x IS MISSING`, `#name` the quoted attribute name and `:value` a `?`
parameter; any other token is refused (`Untranslatable`), never guessed. What the batch costs and what each backend
does with it is in bench/write_path.py.
"""

from __future__ import annotations

import re
from typing import Any

BATCH_STATEMENTS = 25  # BatchExecuteStatement: at most 25 statements per call

_TOKEN = re.compile(r"\s*(?:(#\w+)|(:\w+)|([A-Za-z_]\w*)|(<>|<=|>=|[(),=<>]))")
_FUNCTIONS = {"attribute_type": "attribute_type", "begins_with": "begins_with"}
_KEYWORDS = {"AND", "OR", "NOT"}
_OPERATORS = {"(", ")", ",", "=", "<>", "<", "<=", ">", ">="}


class Untranslatable(ValueError):
    """An expression with a token this translation does not know: refused rather than guessed."""


def _tokens(expression: str) -> list[str]:
    out, pos = [], 0
    expression = expression.rstrip()
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None:
            raise Untranslatable(f"cannot read {expression[pos:]!r}")
        out.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    return out


class _Translation:
    def __init__(self, names: dict[str, str], values: dict[str, Any]):
        self.names, self.values = names, values
        self.parameters: list[Any] = []

    def name(self, token: str) -> str:
        name = self.names[token] if token.startswith("#") else token
        return '"' + name.replace('"', '""') + '"'

    def value(self, token: str) -> str:
        self.parameters.append(self.values[token])
        return "?"

    def operand(self, token: str) -> str:
        if token.startswith(":"):
            return self.value(token)
        if token.startswith("#") or re.fullmatch(r"[A-Za-z_]\w*", token):
            return self.name(token)
        raise Untranslatable(f"unexpected operand {token!r}")

    def condition(self, expression: str) -> str:
        tokens, out, i = _tokens(expression), [], 0
        while i < len(tokens):
            token = tokens[i]
            lowered = token.lower()
            if lowered in ("attribute_exists", "attribute_not_exists"):
                if tokens[i + 1 : i + 2] != ["("] or tokens[i + 3 : i + 4] != [")"]:
                    raise Untranslatable(f"{token} takes one path")
                negation = "NOT " if lowered == "attribute_exists" else ""
                out.append(f"{self.operand(tokens[i + 2])} IS {negation}MISSING")
                i += 4
                continue
            if lowered in _FUNCTIONS:
                if tokens[i + 1 : i + 2] != ["("] or tokens[i + 3 : i + 4] != [","] or tokens[i + 5 : i + 6] != [")"]:
                    raise Untranslatable(f"{token} takes a path and a value")
                out.append(f"{_FUNCTIONS[lowered]}({self.operand(tokens[i + 2])}, {self.operand(tokens[i + 4])})")
                i += 6
                continue
            if tokens[i + 1 : i + 2] == ["("] and token not in _OPERATORS and token.upper() not in _KEYWORDS:
                raise Untranslatable(f"function {token!r} is not translated")
            if token.upper() in _KEYWORDS:
                out.append(token.upper())
            elif token in _OPERATORS:
                out.append(token)
            else:
                out.append(self.operand(token))
            i += 1
        return " ".join(out).replace("( ", "(").replace(" )", ")")

    def update(self, expression: str) -> str:
        """`SET #a = :a, #b = :b REMOVE #c` -> `SET "a" = ? SET "b" = ? REMOVE "c"` (PartiQL: one clause each)."""
        tokens, out, clause, i = _tokens(expression), [], None, 0
        while i < len(tokens):
            token = tokens[i]
            if token.upper() in ("SET", "REMOVE"):
                clause = token.upper()
                i += 1
                continue
            if token == ",":
                i += 1
                continue
            if clause == "SET" and tokens[i + 1 : i + 2] == ["="] and i + 2 < len(tokens):
                out.append(f"SET {self.name(token)} = {self.value(tokens[i + 2])}")
                i += 3
            elif clause == "REMOVE":
                out.append(f"REMOVE {self.name(token)}")
                i += 1
            else:
                raise Untranslatable(f"unexpected {token!r} in {expression!r}")
        if not out:
            raise Untranslatable(f"nothing to update in {expression!r}")
        return " ".join(out)


def update_statement(table: str, key: dict[str, Any], arguments: dict[str, Any]) -> dict[str, Any]:
    """{Statement, Parameters} of one conditional update: the key's equalities and the UpdateItem's condition.

    `key` and the values are in DynamoDB's attribute-value form (as `store.conditions.verdict_update` returns them).
    """
    translation = _Translation(
        arguments.get("ExpressionAttributeNames", {}), arguments.get("ExpressionAttributeValues", {})
    )
    updates = translation.update(arguments["UpdateExpression"])
    where = []
    for name, value in key.items():
        translation.parameters.append(value)
        where.append(f"{translation.name(name)} = ?")
    condition = arguments.get("ConditionExpression")
    if condition:
        where.append(f"({translation.condition(condition)})")
    table_name = translation.name(table)
    return {
        "Statement": f"UPDATE {table_name} {updates} WHERE {' AND '.join(where)}",
        "Parameters": translation.parameters,
    }
