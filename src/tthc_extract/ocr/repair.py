"""Safe post-OCR repair of Vietnamese words, driven by grammars/ocr_lexicon.toml.

Given the words Tesseract read (in its reading order, with confidences), return them with words
run together split again at syllable boundaries ("côngviệc" -> "công việc"), known domain phrases
re-accented ("kiếm soát" -> "kiểm soát"), mangled abbreviations restored by glyph shape
("1LHC" -> "TTHC") and stray marks read from specks dropped ("_", "~").
A word is only ever changed INTO a lexicon entry; see the grammar file for the rules and why a
phrase repair needs no low confidence while the others do. Roman section numbers are checked
against the image instead (:mod:`tthc_extract.ocr.numerals`).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from bisect import bisect_right
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
MIN_PART = 2  # a run-together token is only split into syllables of at least this many letters
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot below
# Run-together tokens, split one boundary at a time (each piece is looked at again):
_LETTER_DIGIT = re.compile(r"^(?P<a>\p{L}{2,})(?P<b>\d[\d/.\-]*\p{P}*)$")  # "Tháng6/2024"
_DIGIT_LETTER = re.compile(r"^(?P<a>\d+)(?P<b>\p{Ll}\p{L}+\p{P}*)$")  # "6tháng"
_PUNCT_LETTER = re.compile(r"^(?P<a>.*\p{L}[,;])['’`]*(?P<b>\p{L}.*)$")  # "huyện;UBND", "ngành,'UBND"
_UPPER_LOWER = re.compile(r"^(?P<a>\P{L}*\p{Lu}{2,})(?P<b>\p{Ll}{2,}\P{L}*)$")  # "UBNDthành"
_LOWER_UPPER = re.compile(r"^(?P<a>\P{L}*\p{L}*\p{Ll})(?P<b>\p{Lu}{2,}\P{L}*)$")  # "phòngUBND"
_WORD = re.compile(r"^(?P<pre>\P{L}*)(?P<core>\p{L}{4,})(?P<post>\P{L}*)$")


@dataclass(frozen=True)
class Lexicon:
    """The repair lexicon: phrases by folded key, abbreviations by shape key, and settings."""

    phrases: dict[str, frozenset[str]]  # folded phrase -> its proper spellings (lower case)
    vocab: frozenset[str]  # the words of the phrases (lower case), to choose between splits
    shapes: dict[str, str]  # shape key -> abbreviation (only unambiguous keys)
    shape_of: dict[str, str]  # glyph -> its look-alike class mark
    noise: re.Pattern[str]  # tokens that are specks, not text
    noise_prefix: re.Pattern[str]  # specks stuck to the front of a word
    noise_suffix: re.Pattern[str]  # specks stuck to the end of a row number
    phrase_lengths: dict[str, tuple[int, ...]]  # folded first word -> word counts of its phrases (2+, longest first)
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


@dataclass(frozen=True)
class Syllables:
    """The Vietnamese syllable grammar: initial consonants and rhymes (without tone marks)."""

    initials: tuple[str, ...]  # longest first
    rhymes: frozenset[str]


@grammars.cache
def syllables() -> Syllables:
    """Return the syllable grammar of grammars/ocr_lexicon.toml [syllables]."""
    g = grammars.load("ocr_lexicon")["syllables"]
    initials = sorted({str(i) for i in g["initials"]} | {""}, key=len, reverse=True)
    return Syllables(tuple(initials), frozenset(str(r) for r in g["rhymes"]))


def _untoned(word: str) -> str:
    """Return a word in lower case without tone marks (vowel marks ă â ê ô ơ ư and đ are kept)."""
    nfd = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES))


def is_syllable(word: str) -> bool:
    """Return whether a word is one Vietnamese syllable: an initial (or none) and a rhyme."""
    syl = syllables()
    w = _untoned(word)
    return any(w.startswith(i) and w[len(i):] in syl.rhymes for i in syl.initials)


def split_syllables(word: str) -> list[str] | None:
    """Return a run-together word split into Vietnamese syllables, or None when it is not one.

    Among the splits into the fewest syllables, the one with the most lexicon words is taken
    ("phươngán" -> "phương án", not "phươn gán"), then one whose syllables (after the first) start
    with a consonant ("cáchành" -> "các hành", not "cách ành"), then the longest first.
    """
    if len(word) < 2 * MIN_PART or not word.isalpha() or is_syllable(word):
        return None
    if fold(word) == word.lower():  # no Vietnamese letter: a name or a foreign word ("Viettel")
        return None
    vocab = lexicon().vocab
    best: tuple[int, int, int, list[str]] | None = None

    def walk(rest: str, parts: list[str]) -> None:
        nonlocal best
        if not rest:
            vowel_starts = sum(1 for p in parts[1:] if fold(p[0]) in "aeiouy")
            known = sum(1 for p in parts if p.lower() in vocab)
            key = (len(parts), -known, vowel_starts, parts)
            if best is None or key[:3] < best[:3]:
                best = key
            return
        if best is not None and len(parts) >= best[0]:
            return
        for n in range(len(rest), MIN_PART - 1, -1):
            if is_syllable(rest[:n]):
                walk(rest[n:], [*parts, rest[:n]])

    walk(word, [])
    return best[3] if best is not None else None


def split_token(text: str) -> list[str]:
    """Return a token cut where Tesseract dropped a space (see the patterns above), else [text]."""
    for pat in (_PUNCT_LETTER, _LETTER_DIGIT, _DIGIT_LETTER, _UPPER_LOWER, _LOWER_UPPER):
        m = pat.match(text)
        if m is None:
            continue
        a, b = m.group("a"), m.group("b")
        letters = a if pat in (_LETTER_DIGIT, _LOWER_UPPER) else b if pat is not _PUNCT_LETTER else "xx"
        word = re.sub(r"\P{L}+", "", letters)
        if pat is _PUNCT_LETTER or is_syllable(word) or split_syllables(word) is not None:
            return split_token(a) + split_token(b)
    m = _WORD.match(text)
    if m is not None:
        parts = split_syllables(m.group("core"))
        if parts is not None:
            parts[0] = m.group("pre") + parts[0]
            parts[-1] += m.group("post")
            return parts
    return [text]


def _split_pass(words: Sequence[OcrWord]) -> list[OcrWord]:
    """Return the words with run-together ones split; each piece gets a share of the box."""
    out: list[OcrWord] = []
    for w in words:
        parts = split_token(w.text)
        if len(parts) == 1:
            out.append(w)
            continue
        total = sum(len(p) for p in parts) or 1
        x = float(w.left)
        for p in parts:
            width = w.width * len(p) / total
            out.append(dataclasses.replace(w, text=p, left=round(x), width=max(1, round(width))))
            x += width
    return out


def _phrase_lengths(phrases: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """Return, per first word of the phrase keys, the word counts of the phrases it starts
    (two or more words, longest first): the only run lengths worth looking up at such a word."""
    out: dict[str, set[int]] = {}
    for key in phrases:
        words = key.split(" ")
        if len(words) >= 2:
            out.setdefault(words[0], set()).add(len(words))
    return {k: tuple(sorted(v, reverse=True)) for k, v in out.items()}


@grammars.cache
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
        vocab=frozenset(w for v in phrases.values() for p in v for w in p.split()),
        shapes=shapes,
        shape_of=shape_of,
        noise=re.compile(g["noise"]["pattern"]),
        noise_prefix=re.compile(g["noise"]["prefix"]),
        noise_suffix=re.compile(g["noise"].get("suffix", "(?!)")),
        phrase_lengths=_phrase_lengths(phrases),
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
    tops = [min(w.top for w in sg) for sg in segs]
    taken: set[int] = set()
    chains: list[list[OcrWord]] = []
    for i, sg in enumerate(segs):
        if i in taken:
            continue
        chain = list(sg)
        cur = sg
        while True:
            nxt = _below(segs, tops, cur, taken, i)
            if nxt is None:
                break
            taken.add(nxt)
            chain.extend(segs[nxt])
            cur = segs[nxt]
        chains.append(chain)
    return chains


def _below(segs: Sequence[list[OcrWord]], tops: Sequence[int], seg: list[OcrWord], taken: set[int],
           start: int) -> int | None:
    """Return the index of the free segment right under ``seg`` (overlapping it), or None.

    ``segs`` are sorted by their ``tops``, so the segments starting low enough are found by
    bisection, the first free one overlapping ``seg`` is the highest, and the search ends at
    the first segment starting too far below."""
    x0, x1 = seg[0].left, seg[-1].right
    bottom = max(w.bottom for w in seg)
    size = max(max(w.x_size, float(w.height)) for w in seg)
    for j in range(bisect_right(tops, bottom - 0.3 * size, start + 1), len(segs)):
        if tops[j] - bottom > LINE_GAP * size:
            break
        if j in taken:
            continue
        other = segs[j]
        if other[0].left < x1 and other[-1].right > x0:
            return j
    return None


def _phrase_pass(words: list[OcrWord], lex: Lexicon) -> None:
    """Re-accent runs of words that spell a lexicon phrase with the wrong diacritics (in place).

    Each word is split into punctuation and core once (again only after it is re-accented), and
    only the run lengths of the phrases starting with a word's folded core are tried at it.
    """
    parts = [_split(w.text) for w in words]
    for i in range(len(words)):
        first = parts[i][1]
        if not first.isalpha():  # no run from here has only letters in its cores
            continue
        for n in lex.phrase_lengths.get(fold(first), ()):
            if n > len(words) - i:
                continue
            run, run_parts = words[i:i + n], parts[i:i + n]
            cores = [c for _, c, _ in run_parts]
            if not all(c.isalpha() for c in cores):
                continue
            # Punctuation may only stand before the first word and after the last.
            if any(post for _, _, post in run_parts[:-1]) or any(pre for pre, _, _ in run_parts[1:]):
                continue
            variants = lex.phrases.get(_phrase_key(cores))
            if variants is None:
                continue
            current = " ".join(cores).lower()
            if current in variants or len(variants) != 1 or min(w.conf for w in run) >= lex.phrase_max_conf:
                break
            proper = next(iter(variants)).split()
            for k, (w, (pre, core, post), p) in enumerate(zip(run, run_parts, proper, strict=True)):
                w.text = pre + _accent_like(core, p) + post
                parts[i + k] = _split(w.text)
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
            bare = lex.noise_suffix.sub("", lex.noise_prefix.sub("", w.text))
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
    out = _split_pass(_token_pass(out, lex))
    for chain in reading_chains(out):
        _phrase_pass(chain, lex)  # edits the words in place
    return out


def repair_text(text: str, conf: float) -> str:
    """Return a line of text repaired as if every word was read with confidence ``conf``."""
    words = [OcrWord(t, conf, 0, 0, 0, 0, (0, 0, 0), 0) for t in text.split()]
    return " ".join(w.text for w in repair_words(words))
