"""A keystroke inside a plugin string is re-read from the last parse: the result must equal a
full parse of the new text whenever the shortcut is taken, and it must decline otherwise."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from spoc_lsp.syntax import parse_config
from spoc_lsp.syntax.toml_edit import reparse_string_edit

DOCUMENT = """[spoc]
mode = "development"

[spoc.plugins]
middleware = [
    "app.middleware.auth",   # first
    "app.middleware.cors", "app.timing.Timer",
]
hooks = ["app.hooks"]
inline = { a = 1 }

[spoc.interfaces]
middleware = "callable"
hooks = "app.contracts.Hooks"
"""

URI_CHARACTERS = st.sampled_from(list("abcxyz_.ABC09 é-"))
QUOTE_OR_ESCAPE = st.sampled_from(['"', "'", "\\", "\n", "\t", "\x00", "#", "]", ","])


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, str]:
    """A document and the same document after one edit somewhere in it (often in a string)."""
    text = DOCUMENT
    quotes = [i for i, ch in enumerate(text) if ch == '"']
    if draw(st.booleans()):
        at = draw(st.sampled_from(quotes))  # near a quote: inside or just outside a string
        start = max(0, at + draw(st.integers(-3, 3)))
    else:
        start = draw(st.integers(0, len(text)))
    end = min(len(text), start + draw(st.integers(0, 4)))
    inserted = draw(st.text(st.one_of(URI_CHARACTERS, QUOTE_OR_ESCAPE), max_size=4))
    return text, text[:start] + inserted + text[end:]


@settings(max_examples=800, deadline=None)
@given(edits())
def test_the_shortcut_equals_a_full_parse(edit: tuple[str, str]) -> None:
    old_text, new_text = edit
    old = parse_config("toml", old_text, None)
    derived = reparse_string_edit(old_text, old, new_text)
    event("declined" if derived is None else "derived")
    if derived is None:
        return
    full = parse_config("toml", new_text, None)
    assert derived == full
    assert derived.entry_sites == full.entry_sites
    assert [s.span for s in derived.strings] == [s.span for s in full.strings]
    assert [e.provenance for e in derived.entry_spans] == [e.provenance for e in full.entry_spans]


def test_a_keystroke_in_a_uri_takes_the_shortcut_and_shares_the_rest() -> None:
    old = parse_config("toml", DOCUMENT, None)
    new_text = DOCUMENT.replace('"app.middleware.cors"', '"app.middleware.corsx"')
    derived = reparse_string_edit(DOCUMENT, old, new_text)
    assert derived is not None
    assert derived == parse_config("toml", new_text, None)
    untouched = [e for e in old.entry_spans if e.uri == "app.middleware.auth"]
    assert untouched and all(e in derived.entry_spans for e in untouched)
    same_object = next(e for e in derived.entry_spans if e.uri == "app.middleware.auth")
    assert same_object is untouched[0]  # unchanged entries are shared: per-entry caches hit
    moved = next(e for e in derived.entry_spans if e.uri == "app.timing.Timer")
    assert (
        moved.provenance.column
        == next(e for e in old.entry_spans if e.uri == "app.timing.Timer").provenance.column + 1
    )


def test_an_interface_value_edit_takes_the_shortcut() -> None:
    old = parse_config("toml", DOCUMENT, None)
    new_text = DOCUMENT.replace('"app.contracts.Hooks"', '"app.contracts.Hook"')
    derived = reparse_string_edit(DOCUMENT, old, new_text)
    assert derived is not None
    assert [i.value for i in derived.interfaces] == ["callable", "app.contracts.Hook"]
    assert derived == parse_config("toml", new_text, None)


def test_it_declines_what_could_change_the_structure() -> None:
    old = parse_config("toml", DOCUMENT, None)
    for new_text in (
        DOCUMENT.replace('"app.hooks"', '"app.hooks", "x"'),  # a new string
        DOCUMENT.replace('"app.hooks"', '"app\\.hooks"'),  # an escape
        DOCUMENT.replace('mode = "development"', 'mode = "developmen"'),  # not a plugin string
        DOCUMENT.replace("# first", "# firs"),  # a comment
        DOCUMENT.replace('"app.hooks"', '""'),  # emptied
    ):
        assert reparse_string_edit(DOCUMENT, old, new_text) is None
    broken = DOCUMENT + "x = \n"
    assert reparse_string_edit(broken, parse_config("toml", broken, None), broken + " ") is None
