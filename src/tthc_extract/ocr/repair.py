"""Safe post-OCR repair of Vietnamese words, driven by grammars/ocr_lexicon.toml.

Given the words Tesseract read (in its reading order, with confidences), return them with known
domain phrases re-accented ("kiếm soát" -> "kiểm soát"), mangled abbreviations restored by glyph
shape ("1LHC" -> "TTHC") and stray marks read from specks dropped ("_", "~").
A word is only ever changed INTO a lexicon entry; see the grammar file for the rules and why a
phrase repair needs no low confidence while the others do. Roman section numbers are checked
against the image instead (:mod:`tthc_extract.ocr.numerals`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import regex as re

from tthc_extract import grammars
from tthc_extract.ocr.tesseract import OcrWord
from tthc_extract.text.normalize import clean_text, fold

_CORE = re.compile(r"^(?P<pre>[^\p{L}\p{N}&]*)(?P<core>[\p{L}\p{N}&'’`|!]*?[\p{L}\p{N}&|!]?)(?P<post>[^\p{L}\p{N}&]*)$")
_QUOTES = str.maketrans("", "", "'’`")
SEGMENT_GAP = 1.5  # a gap this many font sizes wide on a text line separates two columns
LINE_GAP = 1.5  # the next line of a column starts within this many font sizes below




@dataclass(frozen=True)
class Lexicon:
    """The repair lexicon: phrases by folded key, abbreviations by shape key, and settings."""

    phrases: dict[str, frozenset[str]]  # folded phrase -> its proper spellings (lower case)
    shapes: dict[str, str]  # shape key -> abbreviation (only unambiguous keys)
    shape_of: dict[str, str]  # glyph -> its look-alike class mark
    noise: re.Pattern[str]  # tokens that are specks, not text
    noise_prefix: re.Pattern[str]  # specks stuck to the front of a word
    max_words: int
    phrase_max_conf: float
    word_max_conf: float


def _phrase_key(words: Sequence[str]) -> str:
    """Return the lookup key of a run of words."""
    return " ".join(fold(w) for w in words)


def _borrowed(cfg: dict[str, Any]) -> list[str]:
    """Return the phrases other grammars lend the lexicon (see [sources] in ocr_lexicon.toml)."""
    out: list[str] = []
    if cfg.get("headers", False):
        for f in grammars.load("headers").get("fields", {}).values():
            out.extend(f.get("synonyms", []))
    if cfg.get("agencies", False):
        for a in grammars.load("agencies").get("abbreviations", []):
            out.append(str(a.get("expansion", "")))
    if cfg.get("deadlines", False):
        for t in grammars.load("deadlines").get("tokens", []):
            out.extend(e for e in t.get("examples", []) if not re.search(r"[\d/]", e))
    return out


def _runs_of_words(entry: str) -> list[str]:
    """Return the runs of 2+ plain words of a lexicon entry, in lower case ("Văn hóa, Thể thao và
    Du lịch" -> "văn hóa", "thể thao và du lịch"): phrases are matched on words only."""
    out: list[str] = []
    for part in re.split(r"[^\p{L}\s]+", clean_text(entry, keep_lines=False).lower()):
        words = part.split()
        if len(words) >= 2:
            out.append(" ".join(words))
    return out


def _shape_key(token: str, shape_of: dict[str, str]) -> str:
    """Return a token's glyph-shape key: look-alike glyphs share one mark, others upper-cased,
    and a run of one mark counts once (OCR splits and merges thin strokes: "TT" -> "LIL")."""
    out: list[str] = []
    for c in token.translate(_QUOTES):
        k = shape_of.get(c, c.upper())
        if not (out and k == out[-1] and c in shape_of):
            out.append(k)
    return "".join(out)


@functools.cache
def lexicon() -> Lexicon:
    """Return the repair lexicon built from grammars/ocr_lexicon.toml (and borrowed phrases)."""
    g = grammars.load("ocr_lexicon")
    own = [p for group in g["phrases"].values() for e in group for p in _runs_of_words(e)]
    phrases: dict[str, set[str]] = {}
    for p in own:
        phrases.setdefault(_phrase_key(p.split()), set()).add(p)
    vocab = {w for p in own for w in p.split()}
    for e in _borrowed(g.get("sources", {})):
        for p in _runs_of_words(e):
            key = _phrase_key(p.split())
            if all(w in vocab for w in p.split()) and key not in phrases:
                phrases[key] = {p}
    shape_of = {c: chr(0x2460 + i) for i, cls in enumerate(g["shapes"]["classes"]) for c in cls}
    abbrs = list(g["abbreviations"]["list"])
    if g.get("sources", {}).get("agencies", False):
        abbrs += [str(a.get("abbr", "")) for a in grammars.load("agencies").get("abbreviations", [])]
    by_shape: dict[str, set[str]] = {}
    for a in abbrs:
        a = clean_text(a, keep_lines=False)
        distinct = sum(1 for c in a if c not in shape_of)
        if len(a) >= 4 and " " not in a and distinct >= 2:
            by_shape.setdefault(_shape_key(a, shape_of), set()).add(a)
    shapes = {k: next(iter(v)) for k, v in by_shape.items() if len(v) == 1}
    rep = g["repair"]
    return Lexicon(
        phrases={k: frozenset(v) for k, v in phrases.items()},
        shapes=shapes,
        shape_of=shape_of,
        noise=re.compile(g["noise"]["pattern"]),
        noise_prefix=re.compile(g["noise"]["prefix"]),
        max_words=max((len(k.split()) for k in phrases), default=2),
        phrase_max_conf=float(rep.get("phrase_max_conf", 1.01)),
        word_max_conf=float(rep.get("word_max_conf", 0.95)),
    )


def _split(text: str) -> tuple[str, str, str]:
    """Return (leading punctuation, core, trailing punctuation) of a token."""
    m = _CORE.match(text)
    if m is None:
        return "", text, ""
    return m.group("pre"), m.group("core"), m.group("post")


def _accent_like(ocr: str, proper: str) -> str:
    """Return ``proper``'s letters with the upper/lower case of ``ocr`` (same length, same letters)."""
    return "".join(p.upper() if o.isupper() else p.lower() for o, p in zip(ocr, proper, strict=True))


def reading_chains(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """Given OCR words, return them as runs that read on: a line segment, then the segment right
    under it, and so on (a phrase may wrap to the next line of its column or cell).

    Tesseract sometimes puts two columns on one text line ("ỦY BAN NHÂN DÂN   CỘNG HÒA ..."), so
    its lines are first cut into segments at gaps wider than SEGMENT_GAP font sizes.
    """
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        lines.setdefault(w.line_key, []).append(w)
    segs: list[list[OcrWord]] = []
    for ws in lines.values():
        ws = sorted(ws, key=lambda w: w.left)
        cur = [ws[0]]
        for a, b in zip(ws, ws[1:], strict=False):
            size = max(a.x_size, b.x_size, float(a.height))
            if b.left - a.right > SEGMENT_GAP * size:
                segs.append(cur)
                cur = []
            cur.append(b)
        segs.append(cur)
    segs.sort(key=lambda sg: (min(w.top for w in sg), sg[0].left))
    taken: set[int] = set()
    chains: list[list[OcrWord]] = []
    for i, sg in enumerate(segs):
        if i in taken:
            continue
        chain = list(sg)
        cur = sg
        while True:
            nxt = _below(segs, cur, taken, i)
            if nxt is None:
                break
            taken.add(nxt)
            chain.extend(segs[nxt])
            cur = segs[nxt]
        chains.append(chain)
    return chains


def _below(segs: Sequence[list[OcrWord]], seg: list[OcrWord], taken: set[int], start: int) -> int | None:
    """Return the index of the free segment right under ``seg`` (overlapping it), or None."""
    x0, x1 = seg[0].left, seg[-1].right
    bottom = max(w.bottom for w in seg)
    size = max(max(w.x_size, float(w.height)) for w in seg)
    best: int | None = None
    for j in range(start + 1, len(segs)):
        if j in taken:
            continue
        other = segs[j]
        top = min(w.top for w in other)
        if top <= bottom - 0.3 * size or top - bottom > LINE_GAP * size:
            continue
        if other[0].left < x1 and other[-1].right > x0:
            if best is None or top < min(w.top for w in segs[best]):
                best = j
    return best


def _phrase_pass(words: list[OcrWord], lex: Lexicon) -> None:
    """Re-accent runs of words that spell a lexicon phrase with the wrong diacritics (in place)."""
    for i in range(len(words)):
        for n in range(min(lex.max_words, len(words) - i), 1, -1):
            run = words[i:i + n]
            parts = [_split(w.text) for w in run]
            cores = [c for _, c, _ in parts]
            if not all(c.isalpha() for c in cores):
                continue
            # Punctuation may only stand before the first word and after the last.
            if any(post for _, _, post in parts[:-1]) or any(pre for pre, _, _ in parts[1:]):
                continue
            variants = lex.phrases.get(_phrase_key(cores))
            if variants is None:
                continue
            current = " ".join(cores).lower()
            if current in variants or len(variants) != 1 or min(w.conf for w in run) >= lex.phrase_max_conf:
                break
            proper = next(iter(variants)).split()
            for w, (pre, core, post), p in zip(run, parts, proper, strict=True):
                w.text = pre + _accent_like(core, p) + post
            break


def _shape_fix(token: str, lex: Lexicon) -> str | None:
    """Return the abbreviation a mangled token stands for, if its glyph shapes name exactly one."""
    pre, core, post = _split(token)
    clean = core.translate(_QUOTES)
    if len(clean) < 4 or not any(c.isupper() for c in clean):
        return None
    abbr = lex.shapes.get(_shape_key(clean, lex.shape_of))
    if abbr is None or abbr == clean or abs(len(abbr) - len(clean)) > 1:
        return None
    return pre.translate(_QUOTES) + abbr + post  # a stray quote before it was part of the misread


def _token_pass(words: list[OcrWord], lex: Lexicon) -> list[OcrWord]:
    """Repair low-confidence abbreviations (by shape) and drop low-confidence stray marks."""
    out: list[OcrWord] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w.conf < lex.word_max_conf:
            if lex.noise.match(w.text):
                i += 1
                continue
            bare = lex.noise_prefix.sub("", w.text)
            if bare != w.text:
                w = dataclasses.replace(w, text=bare)
            fixed = _shape_fix(w.text, lex)
            if fixed is not None:
                out.append(dataclasses.replace(w, text=fixed))
                i += 1
                continue
            nxt = words[i + 1] if i + 1 < len(words) else None
            if (nxt is not None and nxt.line_key == w.line_key and len(_split(w.text)[1]) <= 2
                    and not _split(w.text)[2] and not _split(nxt.text)[0]):
                joined = _shape_fix(w.text + nxt.text, lex)
                if joined is not None:  # "1 LHC": one abbreviation cut in two
                    out.append(_merge(w, nxt, joined))
                    i += 2
                    continue
        out.append(w)
        i += 1
    return out


def _merge(a: OcrWord, b: OcrWord, text: str) -> OcrWord:
    """Return one word covering two neighbours, with the given text and the lower confidence."""
    left, top = min(a.left, b.left), min(a.top, b.top)
    right, bottom = max(a.right, b.right), max(a.bottom, b.bottom)
    return OcrWord(text, min(a.conf, b.conf), left, top, right - left, bottom - top, a.line_key,
                   max(a.line_height, b.line_height))


def repair_words(words: Iterable[OcrWord]) -> list[OcrWord]:
    """Given OCR words in reading order, return them cleaned (NFC, tone marks) and repaired."""
    lex = lexicon()
    out = [dataclasses.replace(w, text=clean_text(w.text, keep_lines=False)) for w in words]
    out = [w for w in out if w.text]
    out = _token_pass(out, lex)
    for chain in reading_chains(out):
        _phrase_pass(chain, lex)  # edits the words in place
    return out


def repair_text(text: str, conf: float) -> str:
    """Return a line of text repaired as if every word was read with confidence ``conf``."""
    words = [OcrWord(t, conf, 0, 0, 0, 0, (0, 0, 0), 0) for t in text.split()]
    return " ".join(w.text for w in repair_words(words))
