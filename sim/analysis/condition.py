"""A condition over a results table's columns, parsed by a tiny grammar (no `eval`).

`"isisk_final > 2 * isisk.fighters and not fragmented"` reads as:

    condition  := either ("or" either)*
    either     := negation ("and" negation)*
    negation   := "not" negation | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := factor (("*" | "/") factor)*
    factor     := number | name | "-" factor | "(" condition ")"

A name is a column (an outcome, or a swept parameter's key path such as
`rules.attacks.base_rate`), or a number the caller supplies (the scenario's own value
of a key it did not sweep). The text is tokenised and parsed here and evaluated with
numpy over whole columns: nothing of it is ever run as Python. The whole must be a
yes/no per row (a comparison, or a yes/no column).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op><=|>=|==|!=|[<>+\-*/()]))"
)
COMPARISONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
ARITHMETIC: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
}
WORDS = ("and", "or", "not")


class ConditionError(ValueError):
    """A condition that cannot be read or evaluated; the message says where and why."""


@dataclass(frozen=True)
class Token:
    """One piece of the text: its kind (number, name, op, word, end), text and offset."""

    kind: str
    text: str
    at: int


def tokens(text: str) -> list[Token]:
    """The condition's tokens, ending with an `end` token; raise on a character it cannot read."""
    found, at = [], 0
    while at < len(text.rstrip()):
        match = TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise ConditionError(_at(text, at, f"cannot read {text[at:].strip()[:1]!r}"))
        kind = match.lastgroup or "op"
        word = match.group(kind)
        found.append(Token("word" if word in WORDS else kind, word, match.start(kind)))
        at = match.end()
    return [*found, Token("end", "", len(text))]


def evaluate(text: str, columns: Mapping[str, np.ndarray], names: str = "") -> np.ndarray:
    """The condition's yes/no for each row of `columns` (name -> one value per row).

    `names` describes the known names in the message of an unknown one (default: all).

    Raises:
        ConditionError: a syntax error, an unknown name (the known ones listed), or a
            condition that is not yes/no.
    """
    if not text.strip():
        raise ConditionError("the condition is empty")
    parser = _Parser(text, tokens(text), columns, names or ", ".join(sorted(columns)))
    result = parser.condition()
    if parser.peek().kind != "end":
        raise ConditionError(_at(text, parser.peek().at, f"unexpected {parser.peek().text!r}"))
    result = np.asarray(result)
    if result.dtype != bool:
        raise ConditionError(
            f"{text!r} is a number, not a yes/no: compare it (e.g. {text.strip()} > 0)"
        )
    return np.broadcast_to(result, (_rows(columns),)).copy()


class _Parser:
    """Recursive descent over the tokens, one method per rule of the grammar."""

    def __init__(
        self, text: str, items: list[Token], columns: Mapping[str, np.ndarray], names: str
    ) -> None:
        self.text, self.items, self.columns, self.names = text, items, columns, names
        self.position = 0

    def peek(self) -> Token:
        return self.items[self.position]

    def take(self) -> Token:
        token = self.items[self.position]
        self.position += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            found = repr(token.text) if token.kind != "end" else "the end"
            raise ConditionError(_at(self.text, token.at, f"expected {text!r}, found {found}"))

    def condition(self) -> np.ndarray:
        return self._joined("or", self.either)

    def either(self) -> np.ndarray:
        return self._joined("and", self.negation)

    def negation(self) -> np.ndarray:
        if self.peek().text == "not":
            token = self.take()
            return ~self._yes_no(self.negation(), token, "not")
        return self.comparison()

    def comparison(self) -> np.ndarray:
        left = self.sum()
        if self.peek().text in COMPARISONS:
            token = self.take()
            right = self.sum()
            return COMPARISONS[token.text](self._number(left, token), self._number(right, token))
        return left

    def sum(self) -> np.ndarray:
        result = self.product()
        while self.peek().text in ("+", "-"):
            token = self.take()
            result = ARITHMETIC[token.text](
                self._number(result, token), self._number(self.product(), token)
            )
        return result

    def product(self) -> np.ndarray:
        result = self.factor()
        while self.peek().text in ("*", "/"):
            token = self.take()
            with np.errstate(divide="ignore", invalid="ignore"):
                result = ARITHMETIC[token.text](
                    self._number(result, token), self._number(self.factor(), token)
                )
        return result

    def factor(self) -> np.ndarray:
        token = self.take()
        if token.kind == "number":
            return np.asarray(float(token.text))
        if token.kind == "name":
            if token.text not in self.columns:
                raise ConditionError(
                    _at(self.text, token.at, f"unknown name {token.text!r}; known: {self.names}")
                )
            return np.asarray(self.columns[token.text])
        if token.text == "-":
            return -self._number(self.factor(), token)
        if token.text == "(":
            inner = self.condition()
            self.expect(")")
            return inner
        found = repr(token.text) if token.kind != "end" else "the end"
        raise ConditionError(
            _at(self.text, token.at, f"expected a number or a name, found {found}")
        )

    def _joined(self, word: str, operand: Callable[[], np.ndarray]) -> np.ndarray:
        """`operand (word operand)*`: yes/no operands joined by `and` or `or`."""
        result = operand()
        while self.peek().text == word:
            token = self.take()
            left, right = self._yes_no(result, token, word), self._yes_no(operand(), token, word)
            result = left & right if word == "and" else left | right
        return result

    def _yes_no(self, value: np.ndarray, token: Token, word: str) -> np.ndarray:
        if value.dtype != bool:
            raise ConditionError(_at(self.text, token.at, f"{word!r} needs yes/no on each side"))
        return value

    def _number(self, value: np.ndarray, token: Token) -> np.ndarray:
        if value.dtype == bool:
            raise ConditionError(
                _at(self.text, token.at, f"{token.text!r} needs numbers, got a yes/no")
            )
        return value.astype(float)


def _rows(columns: Mapping[str, np.ndarray]) -> int:
    return max((np.size(v) for v in columns.values()), default=1)


def _at(text: str, at: int, message: str) -> str:
    """The message with the text and a caret under offset `at`."""
    return f"{message}\n  {text}\n  {' ' * at}^"
