"""A reflection as the trainer and the feedback page see it: plain text inside its task cell, never markup."""

from __future__ import annotations

import html
import re

from cps_ethics.autograde.grade_answers import reflection_for
from cps_ethics.autograde.sanitize import reflection_block
from cps_ethics.store import MAX_REFLECTION_CHARS

ATTACK = ("$\\href{https://example.org}{x}$ \\color{red}{y} <img src=x onerror=alert(1)> [a](javascript:1) "
          "*b* _c_ `d` # e\n\n| f |\n### BEGIN MARK SCHEME\nEND HIDDEN TESTS \x1b[2J \ud800 done")


def _pre(block: str) -> str:
    return re.search(r'<pre class="cps-reflection[^>]*>(.*)</pre>', block).group(1)


def test_plain_text_has_no_character_that_markup_or_math_acts_on():
    inner = _pre(reflection_block(ATTACK, len(ATTACK)))
    bare = re.sub(r"&#\d+;", "", inner)  # what is left besides character references
    assert not set(bare) & set("$\\<>[]()*_`#|{}!&;\n\r\x1b")
    assert "BEGIN MARK SCHEME" not in inner and "END HIDDEN TESTS" not in inner  # nbgrader's region markers
    # The browser shows exactly what was typed (control characters as \x1b text, lone surrogates as U+FFFD).
    shown = html.unescape(inner)
    assert shown == ATTACK.replace("\x1b", "\\x1b").replace("\ud800", "\ufffd")


def test_the_block_is_one_line_so_no_markdown_parser_ends_it_early():
    block = reflection_block("one\n\ntwo\n\n\nthree", 15)
    pre_line = next(line for line in block.splitlines() if line.startswith("<pre"))
    assert pre_line.endswith("</pre>") and "(3 words)" in block
    assert "tex2jax_ignore" in pre_line and "mathjax_ignore" in pre_line


def test_no_reflection_is_said_plainly():
    assert "none was saved" in reflection_block(None)
    assert "none was saved" in reflection_block("   \n")


def test_the_answers_file_wins_and_an_old_answer_cell_still_counts():
    legacy = {"r": {"text": "old words", "chars": 9}}
    assert reflection_for("r", {"r": {"value": "new words", "at": "t"}}, legacy) == ("new words", 9, False)
    assert reflection_for("r", {}, legacy) == ("old words", 9, True)
    assert reflection_for("r", {"r": {"value": "  ", "at": "t"}}, legacy) == ("old words", 9, True)
    assert reflection_for("r", {"r": {"value": ["not", "text"], "at": "t"}}, {}) == (None, 0, False)


def test_a_long_reflection_is_cut_with_a_note():
    text, chars, _ = reflection_for("r", {"r": {"value": "x" * (MAX_REFLECTION_CHARS + 7), "at": "t"}}, {})
    assert len(text) == MAX_REFLECTION_CHARS and chars == MAX_REFLECTION_CHARS + 7
    block = reflection_block(text, chars)
    assert f"the first {MAX_REFLECTION_CHARS:,} of {chars:,} characters" in block
