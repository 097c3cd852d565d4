"""Text normalisation shared by every loader: NFC, tone marks, HTML/markdown, whitespace.

Vietnamese text from exports mixes two tone-mark placements ("hoà"/"hòa", "uỷ"/"ủy") and
decomposed code points; we unify them so that grammars and comparisons see one spelling.
underthesea's ``text_normalize`` does the same job but also re-tokenises punctuation, so we use
its character table idea with our own, smaller, whitespace-preserving map.
"""

from __future__ import annotations

import functools
import html
import unicodedata

import regex as re

# Old-style tone placement -> new style (tone on the main vowel), as underthesea normalises.
_TONE_PAIRS = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}
# We keep the *modern* placement ("hòa", "ủy") which is what the gold files and most plans use.
_TO_MODERN = {v: k for k, v in _TONE_PAIRS.items()}
# After "q" the "u" belongs to the consonant, so the tone goes on the following vowel: "qúy" -> "quý".
_TO_MODERN.update({"qúy": "quý", "qùy": "quỳ", "qủy": "quỷ", "qũy": "quỹ", "qụy": "quỵ"})
_TONE_RE = re.compile("|".join(map(re.escape, _TO_MODERN)), re.IGNORECASE)

# Look-alike characters seen in exports and OCR: Icelandic eth for Đ, etc.
_CHAR_MAP = str.maketrans({
    "\u00d0": "Đ",  # Ð (eth) -> Đ
    "\u0110": "Đ",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u200b": "",
    "\ufeff": "",
    "\u00ad": "",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\uf0b7": "-",  # Symbol-font bullet from Word
    "\uf02d": "-",
    "\u2022": "-",
    "\u25cf": "-",
})


def _keep_case(src: str, repl: str) -> str:
    """Return ``repl`` with the upper/lower case of ``src`` applied letter by letter."""
    return "".join(r.upper() if s.isupper() else r for s, r in zip(src, repl, strict=False))


def unify_tone_marks(text: str) -> str:
    """Return ``text`` with old-style tone placement moved to the main vowel ("hoà" -> "hòa").

    Only the pair inside a syllable that ends there is changed ("hoàn" keeps its "oà": the tone
    is already on the main vowel when a final consonant follows).
    """

    def repl(m: re.Match[str]) -> str:
        end = m.end()
        nxt = m.string[end] if end < len(m.string) else ""
        if nxt and nxt.isalpha():
            return m.group(0)
        prev = m.string[m.start() - 1] if m.start() else ""
        if prev and prev in "qQ" and m.group(0)[0] in "uU":  # "quỹ", "quý": the tone is already right
            return m.group(0)
        return _keep_case(m.group(0), _TO_MODERN[m.group(0).lower()])

    return _TONE_RE.sub(repl, text)


_TAG_BREAK = re.compile(r"(?i)<\s*(?:br\s*/?|/p|/li|/div|/tr)\s*>")
_TAG_ITEM = re.compile(r"(?i)<\s*li\b[^>]*>")
_TAG_ANY = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_MD_EMPH = re.compile(r"(?<![\w*])(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.S)


def strip_markup(text: str) -> str:
    """Return ``text`` without HTML tags and markdown emphasis; ``<li>``/``<p>`` become line breaks."""
    if "<" in text:
        text = _TAG_ITEM.sub("\n", text)
        text = _TAG_BREAK.sub("\n", text)
        text = _TAG_ANY.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "*" in text or "__" in text:
        text = _MD_EMPH.sub(r"\2", text)
    return text


@functools.lru_cache(maxsize=65536)
def normalize_chars(text: str) -> str:
    """Return ``text`` in NFC with look-alike characters mapped and tone marks unified."""
    text = unicodedata.normalize("NFC", text).translate(_CHAR_MAP)
    return unify_tone_marks(text)


_SPACES = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_text(text: str | None, *, keep_lines: bool = True) -> str:
    """Return loader-ready text: markup stripped, characters normalised, spaces collapsed.

    With ``keep_lines`` the line breaks survive (one per break, trimmed); otherwise everything is
    joined with single spaces.
    """
    if not text:
        return ""
    text = normalize_chars(strip_markup(text))
    if keep_lines:
        lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
        return "\n".join(ln for ln in lines if ln)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def one_line(text: str | None) -> str:
    """Return ``text`` on one line with single spaces (the form stored in output fields)."""
    if not text:
        return ""
    return " ".join(text.split())


@functools.lru_cache(maxsize=4096)
def base_char(c: str) -> str:
    """Return one character without its diacritics, case kept ("Ể" -> "E", "đ" -> "d"); ASCII as is."""
    if c.isascii():
        return c
    if c in "đĐ":
        return "d" if c == "đ" else "D"
    return unicodedata.normalize("NFD", c)[0]


@functools.lru_cache(maxsize=4096)
def fold_char(c: str) -> str:
    """Return one character without diacritics, lower case ("Ể" -> "e", "đ" -> "d")."""
    base = base_char(c)
    low = base.lower()
    return low if len(low) == 1 else base


def strip_marks(text: str) -> str:
    """Return ``text`` without diacritics, case kept, character for character ("Quý" -> "Quy").

    For regex patterns and the text they run on: a pattern's ``\\D`` or ``\\S`` survives it,
    where lower-casing would turn them into ``\\d`` / ``\\s``.
    """
    return "".join(base_char(c) for c in text)


def fold(text: str) -> str:
    """Return ``text`` without diacritics and in lower case, character for character.

    The result has the same length as ``text``, so positions found in folded text index the
    original (OCR repair and the deadline parser rely on it).
    """
    return "".join(fold_char(c) for c in text)


def slug(text: str | None, empty: str = "unknown") -> str:
    """Return ``text`` as an ASCII slug ("Bà Rịa - Vũng Tàu" -> "ba-ria-vung-tau"), ``empty`` if none.

    For names that go where only plain ASCII is safe: partition folders, identifiers.
    """
    out = re.sub(r"[^a-z0-9]+", "-", fold(normalize_chars(text or ""))).strip("-")
    return out or empty
