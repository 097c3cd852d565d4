"""Document metadata from the front matter: type, number, issuer, place, date, signer, title, bases.

Reads the front matter the way Nghị định 30/2020/NĐ-CP (Phụ lục I) lays it out, whatever the
export made of the layout (a two-column table, pipe-table text of a legal portal, lines of a PDF
or scan): the issuing body with its parent body above it beside the national motto; the number
"Số: 223/KH-UBND"; the place and date; the type heading and its title; the "Căn cứ ..." and
"Thực hiện ..." preamble; the signing title and name. What the page omits is inferred as a reader
would: the type from the number's code, the issuer from the number's issuer code and the place
(a city run by the central government is a "thành phố"), a department's plan under its province.
A portal's summary table ("Số hiệu | Loại văn bản | Người ký ...") is evidence for fields the body
lacks, never part of the body. Patterns are data in grammars/metadata.toml.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import regex as re

from tthc_extract import grammars
from tthc_extract.model.document import Document, Paragraph, Table
from tthc_extract.model.plan import DocumentMeta, LegalBasis
from tthc_extract.model.warnings import Warning, warn


@grammars.cache
def _g() -> dict[str, Any]:
    """Return the metadata grammar with its regexes compiled."""
    g = dict(grammars.load("metadata"))
    c: dict[str, Any] = {}
    c["number_line"] = re.compile(g["number"]["line"])
    c["attached"] = re.compile(g["number"]["attached"])
    c["place_date"] = re.compile(g["date"]["place_date"])
    c["numeric"] = re.compile(g["date"]["numeric"])
    c["words"] = re.compile(g["date"]["words"])
    c["wraps"] = [(re.compile(w["prev"]), re.compile(w["next"]), int(w.get("prev_max", 0))) for w in g["date"]["wraps"]]
    c["legal_stops"] = re.compile(g["legal"]["stops"])
    c["legal_end"] = re.compile(g["legal"]["end"])
    c["legal_num"] = re.compile(g["legal"]["number"])
    c["authority"] = re.compile(g["issuer"]["authority"])
    c["named_in_text"] = re.compile(g["issuer"]["named_in_text"])
    c["province_mention"] = re.compile(g["issuer"]["province_mention"])
    c["motto"] = [re.compile(p) for p in g["motto"]["patterns"]]
    c["chrome"] = re.compile(g["portal"]["chrome"])
    labels = sorted(g["portal"]["labels"], key=len, reverse=True)
    c["label"] = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, labels)) + r")\s*:\s*")
    c["title_stops"] = re.compile(g["title"]["stops"])
    c["title_authority"] = re.compile(g["title"]["authority_starts"])
    c["title_may_open"] = re.compile(g["title"]["may_open"])
    c["not_name_chars"] = re.compile(g["signer"]["not_name_chars"])
    c["period"] = re.compile(g["plan_year"]["period"])
    c["title_year"] = re.compile(g["plan_year"]["title"])
    c["purpose_heading"] = re.compile(g["plan_year"]["purpose_heading"])
    c["purpose_year"] = re.compile(g["plan_year"]["purpose_year"])
    types = sorted(g["legal"]["types"], key=len, reverse=True)
    c["type_before"] = re.compile(r"(?i)(" + "|".join(map(re.escape, types)) + r")\s+(?:số\s*:?\s*)?$")
    heads = g["issuer"]["heads"] + g["issuer"]["subordinate"]
    c["head"] = re.compile(r"^(?:" + "|".join(re.escape(h.strip()) for h in heads) + r")\b")
    lv = sorted((x.upper() for x in g["issuer"]["levels"]), key=len, reverse=True)
    c["level"] = re.compile(r"^(?:" + "|".join(map(re.escape, lv)) + r")\b")
    c["province_prefix"] = re.compile(r"(?i)^(?:" + _alternatives(g["issuer"]["province_prefixes"]) + r")\s+")
    c["province_of"] = re.compile(r"\b(?:" + _alternatives(g["issuer"]["province_levels"]) + r")\s+(.+)$")
    c["bare_short"] = re.compile(r"^(?:" + _alternatives(g["issuer"]["short"].values()) + r")$")
    c["ends_at_level"] = re.compile(r"(?i)\b(?:" + _alternatives(g["issuer"]["levels"]) + r")$")
    c["subordinate"] = re.compile(r"(?i)^(?:" + _alternatives(g["issuer"]["subordinate"]) + r")\b")
    c["subordinate_inside"] = re.compile(r"(?<=\s)(?:" + _alternatives(g["issuer"]["subordinate"]) + r")(?=\s)")
    c["local_level"] = re.compile(r"\b(?:" + _alternatives(g["issuer"]["local_levels"]) + r")\s")
    c["date_after"] = re.compile(g["legal"]["date_after"] + "(?:" + g["date"]["numeric"] + "|" + g["date"]["words"] + ")")
    c["section_heading"] = re.compile(g["plan_year"]["section_heading"])
    g["_c"] = c
    return g


def _alternatives(words: Any) -> str:
    """Return a regex alternation of literal words, longest first (so "thị xã" wins over "xã")."""
    return "|".join(re.escape(w.strip()) for w in sorted(words, key=len, reverse=True))


def _c() -> dict[str, Any]:
    return _g()["_c"]


# ---------------------------------------------------------------------------------------------
# Lines of the document


def _clean(line: str) -> str:
    """Return a line without table pipes and old spellings, spaces collapsed."""
    s = line.strip().strip("|").strip()
    for old, new in _g()["issuer"]["fold"].items():
        s = s.replace(old, new)
    return " ".join(s.split())


def _is_summary_table(tbl: Table) -> bool:
    """Return True for a portal's summary table ("Số hiệu: | 37/QĐ-UBND | Loại văn bản: | ...")."""
    labels = _g()["portal"]["labels"]
    hits = sum(1 for row in tbl.rows for c in row.cells if c.text.strip().rstrip(":").strip() in labels)
    return hits >= 2


def _is_signature_table(tbl: Table) -> bool:
    """Return True for a small table holding the signing block ("Nơi nhận: | TM. ỦY BAN NHÂN DÂN")."""
    if tbl.n_cols > 3:
        return False
    return _holds_signature(" ".join(c.text for row in tbl.rows for c in row.cells))


def _signature_rows(doc: Document, tail: int = 4) -> list[str]:
    """Return the lines of the signing rows a text export ran into the task table's last rows.

    Portal text prints the signature block as more pipe rows ("| Nơi nhận: ... | GIÁM ĐỐC |",
    "| | Name |") right after the task rows, so a table reader takes them as rows of that table."""
    for blk in reversed(doc.blocks):
        if not isinstance(blk, Table) or not blk.rows:
            continue
        rows = blk.rows[-tail:]
        for i, row in enumerate(rows):
            if _holds_signature(" ".join(c.text for c in row.cells)):
                return [ln for r in rows[i:] for c in r.cells for ln in c.text.split("\n")]
    return []


def _holds_signature(text: str) -> bool:
    """Return True for text of a signing block: "Nơi nhận" or a signing title."""
    up = text.upper()
    return "NƠI NHẬN" in up or any(t in up for t in _g()["signer"]["titles"])


def _table_lines(tbl: Table, by_row: bool) -> list[str]:
    """Return a small table's cell lines, row by row or column by column."""
    cells = [(r, c) for r, row in enumerate(tbl.rows) for c in row.cells if not c.merged_from_above]
    if not by_row:
        cells.sort(key=lambda rc: (rc[1].col, rc[0]))
    return [ln for _, c in cells for ln in c.text.split("\n")]


@dataclass
class _Front:
    """The lines of a document in reading order and the portal's summary as evidence."""

    lines: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


def _add_summary(ev: dict[str, str], pairs: list[tuple[str, str]]) -> None:
    fields = _g()["portal"]["labels"]
    for label, value in pairs:
        key = fields.get(label.strip().rstrip(":").strip(), "")
        if key and value.strip() and key not in ev:
            ev[key] = value.strip()


def _summary_pairs(line: str) -> list[tuple[str, str]]:
    """Return the "label: value" pairs of a portal summary line, or [] for any other line."""
    marks = list(_c()["label"].finditer(line))
    if not marks or marks[0].start() > 0:
        return []
    return [(m.group(1), line[m.end() : marks[i + 1].start() if i + 1 < len(marks) else None]) for i, m in enumerate(marks)]


def read_lines(doc: Document, stop_at_table: int | None = None) -> _Front:
    """Return the document's cleaned lines (small tables flattened) and its portal summary."""
    front = _Front()
    raw: list[str] = []
    for blk in doc.blocks:
        if isinstance(blk, Paragraph):
            raw.extend(blk.text.split("\n"))
        elif isinstance(blk, Table):
            if stop_at_table is not None and blk.index >= stop_at_table:
                break
            if _is_summary_table(blk):
                cells = [c.text for row in blk.rows for c in row.cells]
                _add_summary(front.evidence, list(zip(cells[0::2], cells[1::2], strict=False)))
            elif _is_signature_table(blk):
                raw.extend(_table_lines(blk, by_row=True))
            elif blk.n_cols <= 3 and len(blk.rows) <= 4:
                raw.extend(_table_lines(blk, by_row=False))
    for ln in raw:
        s = _clean(ln)
        if not s or _c()["chrome"].match(s):
            continue
        pairs = _summary_pairs(s)
        if pairs:
            _add_summary(front.evidence, pairs)
            continue
        front.lines.append(s)
    front.lines = _join_wrapped(front.lines)
    return front


def document_lines(doc: Document, stop_at_table: int | None = None) -> list[str]:
    """Return the document's lines in reading order (small tables flattened)."""
    return read_lines(doc, stop_at_table).lines


def _cut_motto(line: str) -> str:
    """Return a line with the national motto and rules cut out."""
    s = line
    for pat in _c()["motto"]:
        s = pat.sub(" ", s)
    return " ".join(s.split())


def _wrapped(prev: str, ln: str) -> bool:
    """Return True when ``ln`` continues the header piece ``prev`` (the [[date.wraps]] of the grammar)."""
    return any(
        p.search(prev) and n.search(ln) and (not most or len(prev) <= most) for p, n, most in _c()["wraps"]
    )


def _join_wrapped(lines: list[str]) -> list[str]:
    """Join the pieces an export split: "ỦY / BAN NHÂN DÂN", "Số: / 258/KH-UBND", "ngày 28 / tháng 05"."""
    out: list[str] = []
    for ln in lines:
        if out:
            prev = out[-1]
            one_caps_word = prev.isupper() and " " not in prev and len(prev) <= 6 and ln[:1].isupper() and ln.split()[0].isupper()
            if one_caps_word or _wrapped(prev, ln):
                out[-1] = f"{prev} {ln}"
                continue
        out.append(ln)
    return [s for s in (_cut_motto(x) for x in out) if s]


# ---------------------------------------------------------------------------------------------
# Names of places and bodies


def _date(d: str, m: str, y: str) -> dt.date | None:
    """Return a date from day/month/year strings, or None when blank or impossible."""
    try:
        return dt.date(int(y), int(m), int(d))
    except (ValueError, TypeError):
        return None


def _titlecase_place(text: str) -> str:
    """Return an upper-case place/agency name in title case ("QUẢNG BÌNH" -> "Quảng Bình")."""
    if not text.isupper():
        return text
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def _short_issuer(org: str) -> str:
    """Return an issuer as stored: "ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH" -> "UBND tỉnh Quảng Bình"."""
    g = _g()
    s = " ".join(org.split())
    for long, short in g["issuer"]["short"].items():
        s = re.sub(re.escape(long), short, s, flags=re.IGNORECASE)
    keep = set(g["issuer"]["short"].values())  # abbreviations stay upper case: "UBND"
    for lvl in sorted(g["issuer"]["levels"], key=len, reverse=True):
        m = re.search(rf"(?i)(?:^|\s){re.escape(lvl)}\s+(.+)$", s)
        if m:
            head = s[: m.start()].strip()
            head = " ".join(w if w in keep else _titlecase_place(w) for w in head.split())
            return f"{head} {lvl} {_titlecase_place(m.group(1).strip())}".strip()
    return " ".join(w if w in keep else _titlecase_place(w) for w in s.split())


def _province_name(text: str | None) -> str | None:
    """Return the province named by ``text`` ("Tỉnh Hòa Bình", "Hải Phòng", "TP. Hồ Chí Minh")."""
    if not text:
        return None
    s = _c()["province_prefix"].sub("", _titlecase_place(text.strip())).strip()
    for name in sorted(_g()["issuer"]["provinces"], key=len, reverse=True):
        if s.lower() == name.lower():
            return name
    return None


def _province_of(issuer: str) -> str | None:
    """Return the province in an issuer's name ("UBND tỉnh X", "Sở Y tỉnh X", "UBND thành phố X")."""
    m = _c()["province_of"].search(issuer)
    return _province_name(m.group(1)) if m else None


def _with_province(org: str, province: str) -> str:
    """Return a body's name completed with its province: "UBND" -> "UBND tỉnh Hà Tĩnh"."""
    lvl = "thành phố" if province in _g()["issuer"]["central_cities"] else "tỉnh"
    return f"{org} {lvl} {province}"


def _segments(lines: list[str]) -> list[str]:
    """Return the bodies named in the header lines, parent first ("UBND TỈNH X", "SỞ Y")."""
    c = _c()
    segs: list[str] = []
    for ln in (part for line in lines for part in _split_bodies(line)):
        if c["head"].match(ln) or not segs:
            segs.append(ln)
        else:
            segs[-1] = f"{segs[-1]} {ln}"
    # A stray repeat of the opening ("ỦY BAN NHÂN DÂN TỈNH" above "ỦY BAN NHÂN DÂN / TỈNH X").
    return [s for i, s in enumerate(segs) if not any(t.startswith(s) and t != s for t in segs[i + 1 :])]


def _split_bodies(line: str) -> list[str]:
    """Return a header line cut before each body it names after a complete parent.

    A text export or a portal page may print the two lines of the issuer's block on one:
    "UBND TỈNH CÀ MAU SỞ Y TẾ" is the committee and its department, as on two lines.
    """
    c = _c()
    out: list[str] = []
    start = 0
    for m in c["subordinate_inside"].finditer(line):
        prefix = line[start : m.start()].strip()
        if prefix.isupper() and c["head"].match(prefix) and _complete(prefix):
            out.append(prefix)
            start = m.start()
    out.append(line[start:].strip())
    return out


def _complete(seg: str) -> bool:
    """Return True when a body's name says where it is ("... TỈNH HÀ TĨNH", "SỞ CÔNG THƯƠNG")."""
    s = _short_issuer(seg)
    return not (_c()["bare_short"].match(s) or _c()["ends_at_level"].search(s))


# ---------------------------------------------------------------------------------------------
# The header block


@dataclass
class _Header:
    issuer_lines: list[str] = field(default_factory=list)
    number: str | None = None
    saw_number: bool = False
    place: str | None = None
    date: dt.date | None = None
    saw_date: bool = False
    end: int = 0  # index of the first line after the number / place-date lines


def _repair_code(num: str) -> str:
    """Restore the hyphen a PDF export lost: "2014/QĐUBND" -> "2014/QĐ-UBND", "61/2018/NĐCP" -> "61/2018/NĐ-CP"."""
    head, _, code = num.rpartition("/")
    if not head or "-" in num or not code.isupper():
        return num
    for t in sorted(_g()["type_codes"], key=len, reverse=True):
        if t != "examples" and code.startswith(t) and len(code) - len(t) >= 2:
            return f"{head}/{t}-{code[len(t):]}"
    return num


def _header(lines: list[str]) -> _Header:
    """Return the header block: issuer lines, number, place and date."""
    c = _c()
    h = _Header()
    anchor = None
    for i, ln in enumerate(lines[:80]):
        m = c["number_line"].search(ln)
        if m and "/" in m.group("num"):
            h.saw_number = True
            num = re.sub(r"\s+", "", m.group("num"))
            h.number = None if num.startswith("/") else _repair_code(num)
            anchor = i if anchor is None else anchor
            h.end = max(h.end, i + 1)
            rest = (ln[: m.start()] + " " + ln[m.end() :]).strip()
        else:
            rest = ln
        dm = c["place_date"].search(rest)
        if dm and not h.saw_date:
            h.saw_date = True
            h.place = dm.group("place").strip()
            h.date = _date(dm.group("d"), dm.group("m"), dm.group("y"))
            anchor = i if anchor is None else anchor
            h.end = max(h.end, i + 1)
        if h.saw_number and h.saw_date:
            break
    if anchor is None:
        return h
    # The issuer: the capitalised lines just above the number (the motto already cut out), or the
    # part of the number's line before "Số:".
    first = lines[anchor]
    m = c["number_line"].search(first)
    pre = first[: m.start()].strip() if m else ""
    picked: list[str] = [pre] if pre and pre.isupper() else []
    for ln in reversed(lines[:anchor]):
        if not (ln.isupper() and len(ln) < 90):
            break
        picked.insert(0, ln)
    h.issuer_lines = picked
    return h


def _issuer(h: _Header, lines: list[str], ev: dict[str, str]) -> tuple[str | None, str | None]:
    """Return (issuer, parent body) from the header, else the authority line, the portal or the number."""
    c = _c()
    segs = _segments(h.issuer_lines)
    issuer = _short_issuer(segs[-1]) if segs else None
    parent = _short_issuer(segs[-2]) if len(segs) > 1 else None
    if issuer and _complete(segs[-1]):
        if parent and c["subordinate"].match(issuer):
            prov = _province_of(parent)
            if prov and not _province_of(issuer):
                issuer = _with_province(issuer, prov)
        return issuer, parent
    # The name lost its place: read it from the authority line, the text, the portal, the place.
    for ln in lines[:120]:
        m = c["authority"].match(ln)
        if m and (not issuer or _short_issuer(m.group("org")).startswith(issuer)):
            return _short_issuer(m.group("org")), parent
    body = issuer or _code_issuer(h.number)
    prov = _province_name(h.place) or _province_name(ev.get("issuer"))
    named = c["named_in_text"].search(" ".join(lines))
    if body is None and prov is None:
        return (_short_issuer(named.group("org")) if named else None), parent
    if prov is None and named:
        prov = _province_name(named.group("name"))
    if body and prov:
        return _with_province(body, prov), parent
    return body, parent


def _code_issuer(number: str | None) -> str | None:
    """Return the body named by a number's issuer code: "45/KH-SCT" -> "Sở Công Thương"."""
    if not number or "-" not in number:
        return None
    codes = _g()["issuer"]["codes"]
    code = number.rsplit("/", 1)[-1].split("-")[1] if number.rsplit("/", 1)[-1].count("-") else ""
    return codes.get(code) if isinstance(codes.get(code), str) else None


def _province(issuer: str | None, parent: str | None, place: str | None, lines: list[str], ev: dict[str, str]) -> str | None:
    """Return the province: of the issuer, of its parent body, else the one the text names most."""
    for name in (issuer, parent):
        if name and (p := _province_of(name)):
            return p
    if issuer and _c()["local_level"].search(issuer):
        named = Counter(
            p for ln in lines for m in _c()["province_mention"].finditer(ln) if (p := _province_name(m.group("name")))
        )
        if named:
            return named.most_common(1)[0][0]
    return _province_name(ev.get("issuer")) or _province_name(place) or (
        place.strip() if place and not issuer else None
    )


# ---------------------------------------------------------------------------------------------
# Type, title, signer, legal bases, plan year


def _front_end(lines: list[str]) -> int:
    """Return the index of the first preamble or body line (the end of the heading block)."""
    c = _c()
    for i, ln in enumerate(lines):
        if c["legal_end"].match(ln) or ln.startswith(tuple(_g()["legal"]["openers"])) or ln.startswith("- Căn cứ"):
            return i
    return len(lines)


def _doc_type(lines: list[str], h: _Header, ev: dict[str, str]) -> tuple[str | None, int]:
    """Return (document type, index of its heading line or -1): heading, else the number's code, else the portal."""
    g = _g()
    types = g["doc_types"]
    for i, ln in enumerate(lines[: max(_front_end(lines), 1) + 1]):
        key = ln.strip().rstrip(":").upper()
        if key in types and not ln.strip().endswith(":") and ln.isupper():
            return types[key], i
    if h.number and "/" in h.number:
        code = h.number.rsplit("/", 1)[-1]
        first = code.split("-")[0]
        if first in g["type_codes"] and first != "examples":
            return g["type_codes"][first], -1
        if first in g["issuer"]["codes"]:
            return "Công văn", -1
    kind = ev.get("doc_type")
    return (kind if kind in set(types.values()) else None), -1


def _title(lines: list[str], at: int, under_heading: bool = False) -> str | None:
    """Return the title lines under the type heading (or after the header), joined with one space.

    ``under_heading``: ``at`` is the type heading's line, so the next line is the title (trích yếu)
    even when it opens like a preamble line ("Thực hiện công tác ...")."""
    if at < 0:
        return None
    c = _c()
    out: list[str] = []
    for ln in lines[at + 1 : at + 8]:
        opens_title = not out and under_heading and c["title_may_open"].match(ln) and not c["legal_num"].search(ln)
        if (c["title_stops"].match(ln) and not opens_title) or c["authority"].match(ln) or c["title_authority"].match(ln):
            break
        if out and ln.isupper() != out[-1].isupper():
            break  # the authority line ("ỦY BAN NHÂN DÂN TỈNH ...") under a mixed-case title
        out.append(ln)
    return " ".join(out) if out else None


@grammars.cache
def _title_then_name() -> re.Pattern[str]:
    """Return the pattern of a signing title followed on the same line by more text."""
    titles = sorted(_g()["signer"]["titles"], key=len, reverse=True)
    return re.compile(r"^(?P<head>.*(?:" + "|".join(re.escape(t) for t in titles) + r"))\s+(?P<tail>\S.*)$")


def _split_after_title(line: str) -> list[str]:
    """Split "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn A" after its last title.

    A pipe export prints the signing cell's lines on one line; the name follows the titles.
    """
    m = _title_then_name().match(line.strip())
    if m is None or not m.group("head").isupper() or m.group("tail").isupper():
        return [line]
    return [m.group("head"), m.group("tail")]


def _signer(lines: list[str]) -> str | None:
    """Return the signer's name: the first short Title Case line after a signing title."""
    g = _g()["signer"]
    titles = tuple(g["titles"])
    not_names = tuple(n.lower() for n in g["not_names"])
    lines = [part for ln in lines for part in _split_after_title(ln)]
    start = None
    for i, ln in enumerate(lines):
        s = ln.strip().strip("*").strip()
        if s.upper().rstrip(".").endswith(titles) and s.isupper() and len(s) < 60:
            start = i
            break
    if start is None:
        start = next((i for i, ln in enumerate(lines) if ln.lower().startswith("nơi nhận")), None)
    if start is None:
        return None
    for ln in lines[start + 1 : start + 40]:
        s = ln.strip().lstrip("-").strip()
        words = s.split()
        if not 2 <= len(words) <= 5 or s.lower().startswith(not_names):
            continue
        if all(w[:1].isupper() and (len(w) == 1 or w[1:].islower()) for w in words) and not _c()["not_name_chars"].search(s):
            return s
    return None


def _preamble(lines: list[str]) -> list[str]:
    """Return the preamble's basis paragraphs ("Căn cứ ..." / "Thực hiện ..."), wrapped lines joined."""
    c = _c()
    openers = tuple(_g()["legal"]["openers"])
    paras: list[str] = []
    open_para = False
    for ln in lines:
        s = ln[1:].strip() if ln.startswith("-") else ln
        if s.startswith(openers):
            paras.append(s)
            open_para = True
        elif c["legal_end"].match(s) and paras:
            break
        elif c["legal_stops"].match(s) or ln.isupper():
            open_para = False
        elif open_para:
            paras[-1] = f"{paras[-1]} {s}"
    return paras


def _legal_bases(lines: list[str]) -> list[LegalBasis]:
    """Return the numbered documents cited in the preamble, first appearance first, deduplicated."""
    c = _c()
    out: list[LegalBasis] = []
    seen: set[str] = set()
    for para in _preamble(lines):
        for m in c["legal_num"].finditer(para):
            num = _repair_code(re.sub(r"\s+", "", m.group("num")).replace("ND-", "NĐ-"))
            if num in seen:
                continue
            seen.add(num)
            tm = c["type_before"].search(para[max(0, m.start() - 40) : m.start()].rstrip("s"))
            after = para[m.end() : m.end() + 40]
            date = None
            dm = c["date_after"].match(after)
            if dm:
                date = _date(dm.group("d"), dm.group("m"), dm.group("y"))
            out.append(LegalBasis(number=num, type=tm.group(1).capitalize() if tm else None, date=date))
    return out


def _plan_year(title: str | None, lines: list[str]) -> tuple[int | None, str | None]:
    """Return (plan year, period) from the title, else from the purpose section."""
    c = _c()
    t = title or ""
    pm = c["period"].search(t)
    if pm:
        return int(pm.group("y")), f"{pm.group('y')}-{pm.group('y2')}"
    ym = c["title_year"].search(t)
    if ym:
        return int(ym.group("y")), None
    for i, ln in enumerate(lines):
        if c["purpose_heading"].match(ln):
            for body in lines[i + 1 : i + 15]:
                if c["section_heading"].match(body):
                    break
                m = c["purpose_year"].search(body)
                if m:
                    return int(m.group("y")), None
            break
    return None, None


# ---------------------------------------------------------------------------------------------


def read_metadata(doc: Document, first_task_table: int | None = None) -> tuple[DocumentMeta, list[Warning]]:
    """Return the document metadata read from the front matter of ``doc`` and reading warnings."""
    c = _c()
    warnings: list[Warning] = []
    front = read_lines(doc, stop_at_table=first_task_table)
    lines, ev = front.lines, front.evidence
    meta = DocumentMeta()
    h = _header(lines)
    meta.doc_number = h.number
    meta.place, meta.issue_date = h.place, h.date
    if not (h.saw_number and h.saw_date):
        # No header block: "(Ban hành kèm theo Quyết định số 45/QĐ-UBND ngày 07 tháng 01 năm 2022)".
        joined = " ".join(lines)
        m = c["attached"].search(joined)
        if m:
            if not h.saw_number:
                meta.doc_number = _repair_code(re.sub(r"\s+", "", m.group("num")))
            if not h.saw_date and m.group("date"):
                dm = c["numeric"].search(m.group("date")) or c["words"].search(m.group("date"))
                if dm:
                    meta.issue_date = _date(dm.group("d"), dm.group("m"), dm.group("y"))
    if meta.doc_number is None and not h.saw_number and ev.get("doc_number"):
        meta.doc_number = re.sub(r"\s+", "", ev["doc_number"])
    if meta.issue_date is None and not h.saw_date and ev.get("issue_date"):
        dm = c["numeric"].search(ev["issue_date"])
        if dm:
            meta.issue_date = _date(dm.group("d"), dm.group("m"), dm.group("y"))
    meta.doc_type, at = _doc_type(lines, h, ev)
    meta.title = _title(lines, at if at >= 0 else (h.end - 1 if h.end else -1), under_heading=at >= 0)
    meta.issuer, parent = _issuer(h, lines, ev)
    meta.province = _province(meta.issuer, parent, meta.place, lines, ev)
    # A standalone plan is signed after its task table: look there when the front matter has none.
    meta.signer = _signer(lines)
    if meta.signer is None and first_task_table is not None:
        meta.signer = _signer(document_lines(doc)) or _signer(_signature_rows(doc))
    if meta.signer is None and ev.get("signer"):
        meta.signer = ev["signer"]
    meta.legal_bases = _legal_bases(lines)
    meta.plan_year, meta.plan_period = _plan_year(meta.title, lines)
    if meta.plan_year is None and meta.issue_date:
        meta.plan_year = meta.issue_date.year
        warnings.append(warn("plan_year_inferred",
                             f"plan year {meta.plan_year} inferred from the issue date (no year in the title or purpose)"))
    return meta, warnings


def extract_metadata(doc: Document, first_task_table: int | None = None) -> DocumentMeta:
    """Return the document metadata read from the front matter of ``doc``."""
    return read_metadata(doc, first_task_table)[0]
