"""Text normalisation: pure ``str -> str`` steps that turn messy input into clean plain text.

The steps are independent and each does one thing; :func:`clean_text` runs them in order:

1. :func:`fix_encoding` repairs mojibake and normalises Unicode (NFKC).
2. :func:`html_to_text` turns HTML (a whole page or a fragment in a CSV cell) into lines.
3. :func:`normalise_whitespace` unifies line breaks, spaces and blank lines.
4. :func:`normalise_bullets` rewrites every kind of list marker as ``"- "``.

Every step is idempotent, and so is :func:`clean_text`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import ftfy
from bs4 import BeautifulSoup
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)

from matcher.settings import DEFAULT_MAX_HTML_DEPTH

__all__ = [
    "clean_text",
    "fix_encoding",
    "html_to_text",
    "normalise_bullets",
    "normalise_whitespace",
]

# --- encoding ---------------------------------------------------------------------------------


def fix_encoding(text: str) -> str:
    """Repair mojibake and normalise Unicode compatibility characters.

    Uses ftfy (``"â€¢"`` becomes ``"•"``, ``"Ã©"`` becomes ``"é"``, curly quotes become straight
    ones) and NFKC normalisation (ligatures such as ``"ﬁ"`` become ``"fi"``, full-width letters
    become ASCII, a no-break space becomes a space).

    Args:
        text: Any text.

    Returns:
        The repaired text.

    Example:
        >>> fix_encoding("CafÃ© â€“ SQL")
        'Café – SQL'
    """
    return ftfy.fix_text(text, normalization="NFKC")


# --- HTML -------------------------------------------------------------------------------------

# Only well-known tag names count as HTML, so "<5 years>" or "C++ <3" stay plain text.
_TAG_NAMES = (
    "html|head|body|title|meta|link|script|style|p|div|span|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|b|i|u|"
    "em|strong|small|sup|sub|a|img|font|table|thead|tbody|tfoot|tr|td|th|section|article|header|"
    "footer|nav|main|aside|pre|code|blockquote|address|figure|figcaption|label|center"
)
_TAG_RE = re.compile(rf"<\s*/?\s*(?:{_TAG_NAMES})\b[^<>]*>|<!--|<!DOCTYPE", re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
# Tags of a laid-out HTML document, whose source line breaks are only wrapping.
_DOCUMENT_TAG_RE = re.compile(
    r"<\s*(?:html|body|p|div|table|h[1-6]|section|article|pre|blockquote)\b", re.IGNORECASE
)

# A page's menus (<nav>) are no part of its text: a saved job page's "Home / Jobs / About us".
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "meta", "link", "head", "nav"}
)
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table"})
_BLOCK_TAGS = frozenset(
    {
        "div",
        "ul",
        "ol",
        "dl",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "aside",
        "blockquote",
        "address",
        "figure",
        "figcaption",
        "tr",
        "thead",
        "tbody",
        "tfoot",
        "dt",
        "dd",
        "hr",
        "title",
        "center",
        "form",
        "fieldset",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_BLANK_LINE = "\ue000"  # a private-use character marking a blank source line
_IGNORED_STRINGS = (Comment, Doctype, Declaration, ProcessingInstruction, CData)


def _looks_like_html(text: str) -> bool:
    return _TAG_RE.search(text) is not None


# Markers for line breaks between blocks: runs of them resolve to one line break, or to one
# blank line if any of them is a paragraph break.
_BREAK = object()
_PARAGRAPH = object()
_Piece = str | object


def _layout(name: str) -> tuple[tuple[_Piece, ...], tuple[_Piece, ...]]:
    """The pieces an element of tag ``name`` puts before and after its content."""
    if name == "li":
        return (_BREAK, "- "), (_BREAK,)
    if name in _CELL_TAGS:
        return (), (" | ",)
    if name == "pre" or name in _PARAGRAPH_TAGS:
        return (_PARAGRAPH,), (_PARAGRAPH,)
    if name in _BLOCK_TAGS:
        return (_BREAK,), (_BREAK,)
    return (), ()


def _walk(root: Tag, out: list[_Piece], keep_newlines: bool, max_depth: int) -> None:
    """Lay ``root``'s content out as pieces, in document order.

    An explicit stack, not recursion: how deep the HTML nests is the input's choice, and a
    thousand nested tags must not raise RecursionError. Elements nested deeper than
    ``max_depth`` are not laid out: their text is kept, run together on one line.
    """
    # Each frame: the children still to visit, whether line breaks are kept, what to close with.
    stack: list[tuple[Iterator[PageElement], bool, tuple[_Piece, ...]]] = [
        (iter(root.children), keep_newlines, ())
    ]
    while stack:
        children, keep, _ = stack[-1]
        child = next(children, None)
        if child is None:
            out.extend(stack.pop()[2])
            continue
        if isinstance(child, NavigableString):
            if not isinstance(child, _IGNORED_STRINGS):
                out.append(str(child) if keep else re.sub(r"\s+", " ", child))
            continue
        if not isinstance(child, Tag):
            continue
        name = (child.name or "").lower()
        if name in _SKIPPED_TAGS:
            continue
        if name == "br":
            out.append(_BREAK)
            continue
        if len(stack) > max_depth:
            out.append(" " + " ".join(child.get_text(" ").split()) + " ")
            continue
        opening, closing = _layout(name)
        out.extend(opening)
        stack.append((iter(child.children), keep or name == "pre", closing))


def _newlines_at_end(text: str) -> int:
    stripped = text.rstrip(" \t")
    return len(stripped) - len(stripped.rstrip("\n"))


def _newlines_at_start(text: str) -> int:
    stripped = text.lstrip(" \t")
    return len(stripped) - len(stripped.lstrip("\n"))


def _join_pieces(pieces: list[_Piece]) -> str:
    parts: list[str] = []
    pending = 0  # line breaks owed by block tags: 1 for a break, 2 for a paragraph
    trailing = 0  # line breaks already at the end of the output
    for piece in pieces:
        if piece is _PARAGRAPH:
            pending = 2
        elif piece is _BREAK:
            pending = max(pending, 1)
        elif isinstance(piece, str):
            if pending and not piece.strip(" \t"):
                continue  # indentation between two blocks
            if pending and parts:
                # Source line breaks next to a tag ("<br>\nnext") count towards what it owes.
                owed = pending - trailing - _newlines_at_start(piece)
                parts.append("\n" * max(owed, 0))
            pending = 0
            parts.append(piece)
            if piece.strip():
                trailing = _newlines_at_end(piece)
            else:
                trailing += piece.count("\n")
    return "".join(parts)


def _tidy_lines(text: str) -> str:
    lines = []
    for raw in text.split("\n"):
        line = " ".join(raw.replace(_BLANK_LINE, "").split())
        line = re.sub(r"(?:\s*\|\s*)+$", "", line)  # the separator after a row's last cell
        if line == "-":  # an empty list item
            line = ""
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def html_to_text(text: str, max_depth: int = DEFAULT_MAX_HTML_DEPTH) -> str:
    """Convert HTML to plain text lines, leaving text without HTML untouched.

    A text counts as HTML when it contains a well-known tag (``<p>``, ``<li>``, ``<br>``, ...),
    a comment or a doctype. List items become ``"- "`` bullet lines, block elements and ``<br>``
    become line breaks, table cells are joined with ``" | "``, scripts and styles are dropped
    and entities are unescaped. Source line breaks collapse to spaces, as in a browser, in a
    laid-out document (one with ``<p>``, ``<div>``, ``<h1>``... tags); a fragment with only
    inline tags, ``<br>`` and lists keeps them. Text with entities but no tags
    (``"R&amp;D"``) is only unescaped.

    Any nesting depth is handled; elements nested deeper than ``max_depth`` keep their text
    but not their layout (their lines and bullets run together).

    Args:
        text: Plain text, an HTML fragment or a whole HTML page.
        max_depth: Nesting depth laid out as lines (``limits.max_html_depth``).

    Returns:
        Plain text.

    Example:
        >>> html_to_text("<ul><li>Python</li><li>SQL &amp; dbt</li></ul>")
        '- Python\\n- SQL & dbt'
    """
    if not _looks_like_html(text):
        if _ENTITY_RE.search(text):
            return html.unescape(text)
        return text
    # In a laid-out document (<p>, <div>, <h1>, ...) source line breaks are only wrapping and
    # collapse as in a browser. A fragment in plain text (a few <b>, <br> or <li> tags in a
    # .txt file or a CSV cell) keeps its own line breaks, which still carry its structure.
    keep_newlines = _DOCUMENT_TAG_RE.search(text) is None
    if keep_newlines:
        # The parser shrinks whitespace-only strings between two tags to one "\n"; a marker
        # on each blank line keeps "</ul>\n\n<b>Next</b>" a paragraph break.
        text = re.sub(r"\n[ \t]*(?=\n)", "\n" + _BLANK_LINE, text.replace(_BLANK_LINE, ""))
    soup = BeautifulSoup(text, "html.parser")
    out: list[_Piece] = []
    _walk(soup, out, keep_newlines, max_depth)
    return _tidy_lines(_join_pieces(out))


def html_heading(text: str) -> str | None:
    """A whole HTML page's own title: its first ``<h1>``'s text, else its ``<title>``'s, on
    one line; None for a text that is no laid-out page or has neither.

    A saved job page opens with the site's name and menus; its ``<h1>`` is the job.

    Example:
        >>> html_heading("<html><body><a>Acme</a><h1>Welder <b>II</b></h1><p>MIG.</p></body>")
        'Welder II'
        >>> html_heading("Welder\\nMIG welding.") is None
        True
    """
    if _DOCUMENT_TAG_RE.search(text) is None:
        return None
    soup = BeautifulSoup(text, "html.parser")
    for name in ("h1", "title"):
        for found in soup.find_all(name):
            heading = " ".join(found.get_text(" ").split())
            if heading:
                return heading
    return None


# --- whitespace -------------------------------------------------------------------------------

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE_RE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_LINE_BREAK_RE = re.compile("\r\n|[\r\v\f\u2028\u2029\u0085]")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def normalise_whitespace(text: str) -> str:
    """Unify line breaks and spaces.

    Line breaks of every kind become ``"\\n"``; tabs, no-break and other Unicode spaces become a
    space; zero-width characters, soft hyphens and control characters are removed; runs of
    spaces collapse to one; each line is stripped; runs of blank lines collapse to a single blank
    line; leading and trailing blank lines go.

    Args:
        text: Any text.

    Returns:
        The normalised text.

    Example:
        >>> normalise_whitespace("Skills:\\t Python\\u00a0 \\n\\n\\n\\nSQL  ")
        'Skills: Python\\n\\nSQL'
    """
    text = _LINE_BREAK_RE.sub("\n", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _CONTROL_RE.sub("", text)
    text = _SPACE_RE.sub(" ", text)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


# --- bullets ----------------------------------------------------------------------------------

# Glyph bullets may touch the text ("•Python"), and so may a hyphen before a letter ("-Excel");
# other ASCII-ish markers (*, +, o, dashes) need a space after them so "*args", "+1", "on time"
# and "-3 dB" stay what they are. \uf0b7 and
# friends are Symbol/Wingdings bullets that PDF and Word exports leave in the Private Use Area.
# A phone number is no list item: "(02) 9876 5432" is not item 2, so a numbered marker does not
# count before a long number ("9876 5432"; "1. 3 years as a baker" is still an item), and "+"
# does not count before a digit ("+ 61 2 9876 5432").
_GLYPH_BULLETS = "•●▪◦‣○■□►▶▸▹➢➤➔→✓✔✗❖◆◇⁃∙⦿⦾\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0e0"
_SPACED_BULLETS = r"[*·–—-]|o"
_BULLET_RE = re.compile(
    rf"^[ \t]*(?:[{_GLYPH_BULLETS}][ \t]*|(?:{_SPACED_BULLETS})[ \t]+"
    r"|\+[ \t]+(?!\d)|\(?\d{1,2}[.)][ \t]+(?!\d{2,}[ .\-/]?\d{3})|-(?=[^\W\d_]))(?=\S)",
    re.MULTILINE,
)


def normalise_bullets(text: str) -> str:
    """Rewrite list markers at the start of a line as ``"- "``.

    Handles glyph bullets (``•``, ``●``, ``▪``, ``◦``, ``➢``, Word's private-use ``\\uf0b7``
    ...), ``*``, ``+``, ``·``, en and em dashes, a lone ``o`` and numbered items (``1)``,
    ``2.``, ``(3)``). Markers must be followed by text; ``"*args"`` or ``"3.5 years"`` are left
    alone, and so are a ``+`` before a digit and a number before a long number
    (``"(02) 9876 5432"`` is a phone number, not item 2).

    Args:
        text: Text with one list item per line.

    Returns:
        The text with uniform ``"- "`` bullets.

    Example:
        >>> normalise_bullets("• Python\\n* SQL\\n2) dbt")
        '- Python\\n- SQL\\n- dbt'
    """
    return _BULLET_RE.sub("- ", text)


# --- all of it --------------------------------------------------------------------------------


# Markdown emphasis around a span of one line: "_Mar 2024 - Present_", "**Skills:**". The
# markers touch the span's first and last characters and no word character outside it, so
# "snake_case_name", "2*3*4" and a "* " bullet stay as they are.
_EMPHASIS_RE = re.compile(r"(?<![\w*_])(\*{1,3}|_{1,3})(?=[^\s*_])([^\n]*?[^\s*_])\1(?![\w*_])")


def strip_emphasis(text: str) -> str:
    """Remove Markdown emphasis markers (``*``, ``_``, ``**``, ``__``) around spans.

    A date in italics ("_2020 - 2024_") is then read as a date, and the markers reach no
    model text.

    Example:
        >>> strip_emphasis("**Agent**, Acme — _Mar 2024 – Present_")
        'Agent, Acme — Mar 2024 – Present'
        >>> strip_emphasis("snake_case_name and 2*3*4 and ** alone")
        'snake_case_name and 2*3*4 and ** alone'
    """
    return _EMPHASIS_RE.sub(r"\2", text) if ("*" in text or "_" in text) else text


def clean_text(text: str, *, max_html_depth: int = DEFAULT_MAX_HTML_DEPTH) -> str:
    """Run every cleaning step in order: encoding, HTML, whitespace, bullets, emphasis.

    Encoding comes first because mojibake can hide bullets and spaces; HTML comes before
    whitespace because HTML layout decides where lines break; bullets come last, once lines are
    stripped.

    Args:
        text: Raw text from a document or a table cell.
        max_html_depth: See :func:`html_to_text`.

    Returns:
        Clean plain text; ``""`` if nothing but whitespace or markup was there.

    Example:
        >>> clean_text("<p>Skills</p><ul><li>Python</li></ul>")
        'Skills\\n\\n- Python'
    """
    text = fix_encoding(text)
    text = html_to_text(text, max_html_depth)
    text = normalise_whitespace(text)
    return strip_emphasis(normalise_bullets(text))
