"""A tolerant TOML reader: tokens to table headers and key/value pairs, and syntax errors.

It reads left to right and never goes back, so a mistake can only affect what comes after it.
Its recovery rules are line based, the way TOML is written:

* a statement (a header or a pair) starts a line; extra tokens after it on its line are an
  error, and skipped;
* an array missing its ``]`` ends where a line starts with what can only be a new statement
  (``key =``, or a ``[table]`` header with a bare key or a dot), never valid inside an array;
* an inline table missing its ``}`` ends at its line end (TOML 1.0 keeps them on one line);
* inside an array, a stray token is skipped up to the next ``,``, ``]`` or line, and a value
  with no ``,`` before it is read anyway (after reporting the missing comma).

Values are kept as read, with spans; the meaning of keys is left to :mod:`toml_spoc`.
"""

from __future__ import annotations

import re

from spoc_lsp.syntax import toml_runtime
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.tokens import GARBAGE, SCALAR, STRING, UNTERMINATED, WORD, Cursor, Token
from spoc_lsp.syntax.toml_document import (
    ArrayValue,
    BadValue,
    Event,
    Header,
    KeyPart,
    MissingValue,
    OpenStrValue,
    Pair,
    ScalarValue,
    StrValue,
    TableValue,
    TomlDocument,
    TooDeepValue,
    Value,
)

MAX_DEPTH = 64
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_WORD_VALUE = re.compile(r"true|false|[+-]?(inf|nan)|[+-]?[0-9][0-9A-Za-z_.:+-]*")


def read(tokens: list[Token]) -> TomlDocument:
    """Read TOML tokens tolerantly (see the module docstring)."""

    reader = _Reader(tokens)
    reader.document()
    return TomlDocument(reader.events, reader.errors)


class _Reader(Cursor):
    def __init__(self, tokens: list[Token]) -> None:
        super().__init__(tokens, Position(0, 0))
        self.events: list[Event] = []
        self.errors: list[tuple[str, Span]] = []

    # --- helpers ------------------------------------------------------------------------------

    def error(self, message: str, span: Span) -> None:
        # One error per line: what follows a first mistake on a line is mostly its echo.
        if self.errors and self.errors[-1][1].start.line == span.start.line:
            return
        self.errors.append((f"invalid TOML: {message}", span))

    def error_at_token(self, message: str, token: Token) -> None:
        end = token.end if token.end.line == token.start.line else token.start
        self.error(message, Span(token.start, end))

    def error_after_last(self, message: str) -> None:
        self.error(message, Span(self.last_end, self.last_end))

    def same_line(self, token: Token | None) -> bool:
        return token is not None and not token.first_on_line

    def skip_rest_of_line(self) -> None:
        while self.same_line(self.peek()):
            self.take()

    # --- statements ---------------------------------------------------------------------------

    def document(self) -> None:
        while (token := self.peek()) is not None:
            if token.kind in ("[", "[["):
                self.header()
            elif _is_key_token(token):
                pair = self.pair(0)
                if pair is not None:
                    self.events.append(pair)
            else:
                self.unexpected(token)
                self.take()
            self.end_of_statement()

    def unexpected(self, token: Token, expected: str = "") -> None:
        """Report a token that cannot be here (an unterminated string is reported elsewhere)."""
        if token.kind == UNTERMINATED:
            return
        prefix = f"expected {expected}, found" if expected else "unexpected"
        self.error_at_token(f"{prefix} {_describe(token)}", token)

    def end_of_statement(self) -> None:
        token = self.peek()
        if self.same_line(token):
            assert token is not None
            self.unexpected(token, "a new line")
            self.skip_rest_of_line()

    def header(self) -> None:
        opener = self.take()
        is_array = opener.kind == "[["
        token = self.peek()
        if not self.same_line(token) or token is None or not _is_key_token(token):
            if self.same_line(token) and token is not None:
                self.unexpected(token, "a table name")
            else:
                self.error_after_last("expected a table name")
            self.skip_rest_of_line()
            return
        parts = self.key()
        if not self.close_header(is_array):
            self.error_after_last(
                f"expected '{']]' if is_array else ']'}' to close the table header"
            )
        self.events.append(Header(parts, is_array, Span(opener.start, self.last_end)))

    def close_header(self, is_array: bool) -> bool:
        token = self.peek()
        if not self.same_line(token):
            return False
        assert token is not None
        if is_array and token.kind == "]]":
            self.take()
            return True
        if token.kind == "]":
            self.take()
            if is_array:
                second = self.peek()
                if self.same_line(second) and second is not None and second.kind == "]":
                    self.take()
                    return True
                return False
            return True
        return False

    def key(self) -> list[KeyPart]:
        """A dotted key on one line, starting at the current token (a key token)."""
        parts = _key_parts(self.take())
        while True:
            dot = self.peek()
            if not self.same_line(dot) or dot is None or dot.kind != ".":
                return parts
            self.take()
            token = self.peek()
            if not self.same_line(token) or token is None or not _is_key_token(token):
                if self.same_line(token) and token is not None:
                    self.unexpected(token, "a key after '.'")
                else:
                    self.error_after_last("expected a key after '.'")
                return parts
            parts.extend(_key_parts(self.take()))

    def pair(self, depth: int) -> Pair | None:
        parts = self.key()
        token = self.peek()
        if not self.same_line(token) or token is None or token.kind != "=":
            if self.same_line(token) and token is not None:
                self.unexpected(token, "'=' after the key")
            else:
                self.error_after_last("expected '=' after the key")
            self.skip_rest_of_line()
            return None
        self.take()
        return Pair(parts, self.value(depth))

    # --- values -------------------------------------------------------------------------------

    def value(self, depth: int, in_array: bool = False) -> Value:
        """A value; after ``=`` it must start on the same line, in an array anywhere."""
        token = self.peek()
        if token is None or not (in_array or self.same_line(token)):
            self.error_after_last("expected a value")
            return MissingValue(Span(self.last_end, self.last_end))
        kind = token.kind
        if kind == STRING:
            self.take()
            return StrValue(token.span, token)
        if kind == UNTERMINATED:
            self.take()
            return OpenStrValue(token.span, token)
        if kind == SCALAR or (kind == WORD and _WORD_VALUE.fullmatch(token.text)):
            self.take()
            if not toml_runtime.accepts(f"v = {token.text}"):
                self.error_at_token(f"invalid value {token.text[:20]!r}", token)
                return BadValue(token.span, token.text)
            return ScalarValue(token.span, token.text)
        if kind in ("[", "[["):
            return self.array(depth + 1)
        if kind == "{":
            return self.inline_table(depth + 1)
        self.take()
        self.unexpected(token, "a value")
        return BadValue(token.span, token.text)

    def array(self, depth: int) -> Value:
        opener = self.take()
        if depth > MAX_DEPTH:
            return self.skip_nested(opener)
        if opener.kind == "[[":  # two brackets lexed as one: an array in an array
            inner = self.array_items(
                depth + 1, Position(opener.start.line, opener.start.column + 1)
            )
            outer = ArrayValue(Span(opener.start, opener.end), [inner])
            return self.array_rest(outer, depth, expect_value=False)
        return self.array_items(depth, opener.start)

    def array_items(self, depth: int, start: Position) -> ArrayValue:
        array = ArrayValue(Span(start, self.last_end))
        return self.array_rest(array, depth, expect_value=True)

    def array_rest(self, array: ArrayValue, depth: int, expect_value: bool) -> ArrayValue:
        while True:
            token = self.peek()
            if token is None or (token.first_on_line and self.statement_starts_here()):
                if not (array.items and isinstance(array.items[-1], OpenStrValue)):
                    # (after an unterminated string, that is the error to show)
                    self.error_after_last("expected ']' to close the array")
                array.closed = False
                break
            if token.kind in ("]", "]]"):
                self.close_array(token)
                break
            if token.kind == ",":
                if expect_value:
                    self.error_at_token("expected a value before ','", token)
                self.take()
                expect_value = True
                continue
            starts_value = _starts_value(token)
            if not starts_value:
                self.unexpected(token, "a value" if expect_value else "',' or ']'")
                self.skip_garbage()
                expect_value = True  # the stray text stood where a ',' would be
                continue
            if not expect_value:
                self.unexpected(token, "',' or ']'")  # then read the value all the same
            item = self.value(depth, in_array=True)
            array.items.append(item)
            # An unterminated string took the rest of its line, with any comma on it.
            expect_value = isinstance(item, OpenStrValue)
        array.span = Span(array.span.start, self.last_end)
        return array

    def close_array(self, token: Token) -> None:
        if token.kind == "]]":  # "]]" lexed as one: it closes this array and the one around it
            self.tokens[self.index] = Token(
                "]",
                "]",
                Position(token.start.line, token.start.column + 1),
                token.end,
                False,
            )
            self.last_end = Position(token.start.line, token.start.column + 1)
            return
        self.take()

    def skip_garbage(self) -> None:
        """Skip stray tokens up to a ',', a ']', a value or the next line."""
        self.take()
        while (token := self.peek()) is not None and not token.first_on_line:
            if token.kind in (",", "]", "]]") or _starts_value(token):
                return
            self.take()

    def skip_nested(self, opener: Token) -> Value:
        """Too deeply nested to read: skip to the matching bracket (or the next statement)."""
        level = len(opener.kind)
        while level and (token := self.peek()) is not None:
            if token.first_on_line and self.statement_starts_here():
                break
            self.take()
            if token.kind in ("[", "{", "[["):
                level += len(token.kind)
            elif token.kind in ("]", "}", "]]"):
                level = max(0, level - len(token.kind))
        return TooDeepValue(Span(opener.start, self.last_end), opener.kind != "{")

    def inline_table(self, depth: int) -> Value:
        opener = self.take()
        if depth > MAX_DEPTH:
            return self.skip_nested(opener)
        table = TableValue(opener.span)
        expect_pair = True
        while True:
            token = self.peek()
            if not self.same_line(token) or token is None:
                self.error_after_last("expected '}' to close the inline table")
                table.closed = False
                break
            if token.kind == "}":
                self.take()
                break
            if token.kind == ",":
                if expect_pair:
                    self.error_at_token("expected a key before ','", token)
                self.take()
                expect_pair = True
                continue
            if not expect_pair:
                self.unexpected(token, "',' or '}'")
            if not _is_key_token(token):
                if expect_pair:
                    self.unexpected(token, "a key")
                self.take()
                continue
            pair = self.pair(depth)
            if pair is not None:
                table.pairs.append(pair)
            expect_pair = False
        table.span = Span(opener.start, self.last_end)
        return table

    # --- recovery -----------------------------------------------------------------------------

    def statement_starts_here(self) -> bool:
        """Whether the line starting at the current token can only be a new statement."""
        tokens = self.tokens
        index = self.index
        token = tokens[index]
        if token.kind in ("[", "[["):
            index += 1
            end, bare = _scan_key(tokens, index)
            if end == index or end >= len(tokens) or tokens[end].first_on_line:
                return False
            if tokens[end].kind not in ("]", "]]"):
                return False
            after = end + 1
            if (
                tokens[end].kind == "]"
                and after < len(tokens)
                and tokens[after].kind == "]"
                and not tokens[after].first_on_line
            ):
                after += 1
            line_ends = after >= len(tokens) or tokens[after].first_on_line
            return line_ends and bare
        if not _is_key_token(token):
            return False
        end, _ = _scan_key(tokens, index)
        return end < len(tokens) and not tokens[end].first_on_line and tokens[end].kind == "="


def _scan_key(tokens: list[Token], index: int) -> tuple[int, bool]:
    """Scan a dotted key on one line; return where it ends and if it has a bare part or a dot."""
    start = index
    bare = False
    while index < len(tokens) and _is_key_token(tokens[index]):
        if index > start and tokens[index].first_on_line:
            break
        bare = bare or tokens[index].kind != STRING
        index += 1
        if index < len(tokens) and tokens[index].kind == "." and not tokens[index].first_on_line:
            bare = True
            index += 1
            continue
        break
    return index, bare


def _is_key_token(token: Token) -> bool:
    if token.kind == WORD:
        return True
    if token.kind == STRING:
        return not token.text.startswith(('"""', "'''"))
    return token.kind == SCALAR and all(_BARE.fullmatch(part) for part in token.text.split("."))


def _key_parts(token: Token) -> list[KeyPart]:
    if token.kind == STRING:
        literal = token.literal
        name = literal.value if literal is not None and literal.value is not None else token.text
        return [KeyPart(name, token.span)]
    if token.kind == SCALAR and "." in token.text:  # "1.5 = x" is the dotted key 1 -> 5
        parts: list[KeyPart] = []
        column = token.start.column
        for name in token.text.split("."):
            start = Position(token.start.line, column)
            parts.append(KeyPart(name, Span(start, Position(start.line, column + len(name)))))
            column += len(name) + 1
        return parts
    return [KeyPart(token.text, token.span)]


def _starts_value(token: Token) -> bool:
    if token.kind in (STRING, UNTERMINATED, SCALAR, "[", "[[", "{"):
        return True
    return token.kind == WORD and bool(_WORD_VALUE.fullmatch(token.text))


def _describe(token: Token) -> str:
    if token.kind == GARBAGE or token.kind == WORD:
        text = token.text.splitlines()[0] if token.text.strip() else token.text
        return repr(text[:20])
    if token.kind in (STRING, UNTERMINATED):
        return "a string"
    if token.kind == SCALAR:
        return repr(token.text[:20])
    return repr(token.kind)
