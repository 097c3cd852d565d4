"""Document metadata from the front matter: type, number, issuer, place, date, signer, title.

Reads the document as a list of lines (paragraph lines; small layout tables flattened column by
column, the way a reader takes in "issuer | motto" blocks), with patterns from
grammars/metadata.toml.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import regex as re

from tthc_extract import grammars
from tthc_extract.model.document import Document, Paragraph, Table
from tthc_extract.model.plan import DocumentMeta, LegalBasis


@functools.cache
def _g() -> dict[str, Any]:
    """Return the metadata grammar with its regexes compiled."""
    g = dict(grammars.load("metadata"))
    g["_number_line"] = re.compile(g["number"]["line"])
    g["_attached"] = re.compile(g["number"]["attached"])
    g["_place_date"] = re.compile(g["date"]["place_date"])
    g["_numeric"] = re.compile(g["date"]["numeric"])
    g["_words"] = re.compile(g["date"]["words"])
    g["_legal_end"] = re.compile(g["legal"]["end"])
    g["_legal_num"] = re.compile(g["legal"]["number"])
    g["_authority"] = [re.compile(p) for p in g["issuer"]["authority"]]
    types = sorted(g["legal"]["types"], key=len, reverse=True)
    g["_type_before"] = re.compile(r"(?i)(" + "|".join(map(re.escape, types)) + r")\s+(?:số\s+)?$")
    return g


def document_lines(doc: Document, stop_at_table: int | None = None) -> list[str]:
    """Return the document's lines in reading order (small tables flattened column by column)."""
    out: list[str] = []
    for blk in doc.blocks:
        if isinstance(blk, Paragraph):
            out.extend(ln.strip() for ln in blk.text.split("\n") if ln.strip())
        elif isinstance(blk, Table):
            if stop_at_table is not None and blk.index >= stop_at_table:
                break
            if blk.n_cols <= 3 and len(blk.rows) <= 4:
                for col in range(blk.n_cols):
                    for row in blk.rows:
                        c = row.cell_at(col)
                        if c is not None and c.col == col and not c.merged_from_above:
                            out.extend(ln.strip() for ln in c.text.split("\n") if ln.strip())
    return out


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
    # Lower-case the administrative level, title-case the name after it.
    for lvl in sorted(g["issuer"]["levels"], key=len, reverse=True):
        m = re.search(rf"(?i)\b{re.escape(lvl)}\s+(.+)$", s)
        if m:
            head = s[: m.start()].strip()
            keep = set(g["issuer"]["short"].values())  # abbreviations stay upper case: "UBND"
            head = " ".join(w if w in keep else _titlecase_place(w) for w in head.split())
            return f"{head} {lvl} {_titlecase_place(m.group(1))}".strip()
    return _titlecase_place(s)


def _province(issuer: str | None, place: str | None) -> str | None:
    """Return the province name from the issuer ("UBND tỉnh X") or the place line."""
    if issuer:
        m = re.search(r"(?i)\b(?:tỉnh|thành phố)\s+(.+)$", issuer)
        if m:
            return m.group(1).strip()
    if place:
        return re.sub(r"(?i)^(tỉnh|thành phố|tp\.?)\s+", "", place).strip()
    return None


def _issuer(lines: list[str]) -> str | None:
    """Return the issuer from the header block, or from the signing authority line."""
    g = _g()
    motto = [m.upper() for m in g["issuer"]["motto"]]
    head: list[str] = []
    types = g["doc_types"]
    for ln in lines[:12]:
        up = ln.upper()
        if up.strip().rstrip(":") in types:
            head = []  # reached the document's own heading: there is no issuer block
            break
        if any(up.startswith(m[:20]) for m in motto) or up.startswith("SỐ") or "NGÀY" in up:
            if head:
                break
            continue
        if ln.isupper() and len(ln) < 80:
            head.append(ln)
        elif head:
            break
    if head:
        subs = tuple(g["issuer"]["subordinate"])
        for k in range(1, len(head)):
            if head[k].startswith(subs):
                # "UBND TỈNH LONG AN / SỞ CÔNG THƯƠNG": the department issues, in its province.
                dept = _short_issuer(" ".join(head[k:]))
                parent = _short_issuer(" ".join(head[:k]))
                lvl = re.search(r"\b(?:tỉnh|thành phố)\s+.+$", parent)
                if lvl and not re.search(r"\b(?:tỉnh|thành phố)\b", dept):
                    dept = f"{dept} {lvl.group(0)}"
                return dept
        return _short_issuer(" ".join(head))
    for ln in lines[:60]:
        for pat in g["_authority"]:
            m = pat.match(ln)
            if m:
                return _short_issuer(m.group("org"))
    return None


def _doc_type(lines: list[str]) -> tuple[str | None, int]:
    """Return (document type, index of its heading line)."""
    types = _g()["doc_types"]
    for i, ln in enumerate(lines):
        key = ln.strip().rstrip(":").upper()
        if key in types and not ln.strip().endswith(":"):
            return types[key], i
    return None, -1


def _title(lines: list[str], at: int) -> str | None:
    """Return the title lines under the type heading, joined with one space."""
    if at < 0:
        return None
    out: list[str] = []
    for ln in lines[at + 1 : at + 6]:
        low = ln.lower()
        if low.startswith(("căn cứ", "thực hiện", "theo đề nghị", "(ban hành", "số:")):
            break
        if out and ln.isupper() and not out[-1].isupper():
            break  # the authority line ("ỦY BAN NHÂN DÂN TỈNH ...") under a mixed-case title
        if any(pat.match(ln) for pat in _g()["_authority"]) or re.match(r"^(ỦY BAN|UBND|HỘI ĐỒNG)", ln):
            break
        out.append(ln)
    return " ".join(out) if out else None


def _signer(lines: list[str]) -> str | None:
    """Return the signer's name: the first short Title Case line after a signing title."""
    g = _g()["signer"]
    titles = tuple(g["titles"])
    not_names = tuple(n.lower() for n in g["not_names"])
    start = None
    for i, ln in enumerate(lines):
        s = ln.strip().strip("*").strip()
        if s.upper().rstrip(".") .endswith(titles) and s.isupper() and len(s) < 60:
            start = i
            break
    if start is None:
        for i, ln in enumerate(lines):
            if ln.lower().startswith("nơi nhận"):
                start = i
                break
    if start is None:
        return None
    for ln in lines[start + 1 : start + 40]:
        s = ln.strip().lstrip("-").strip()
        words = s.split()
        if not 2 <= len(words) <= 5 or s.lower().startswith(not_names):
            continue
        if all(w[:1].isupper() and (len(w) == 1 or w[1:].islower()) for w in words) and not re.search(r"[\d:;,.()]", s):
            return s
    return None


def _legal_bases(lines: list[str]) -> list[LegalBasis]:
    """Return the numbered documents cited in the preamble, first appearance first, deduplicated."""
    g = _g()
    openers = tuple(o.lower() for o in g["legal"]["openers"])
    out: list[LegalBasis] = []
    seen: set[str] = set()
    in_preamble = False
    for ln in lines:
        if g["_legal_end"].match(ln.strip()):
            if in_preamble:
                break
            continue
        if not ln.lower().startswith(openers):
            continue
        in_preamble = True
        for m in g["_legal_num"].finditer(ln):
            num = re.sub(r"\s+", "", m.group("num")).replace("ND-", "NĐ-")
            if num in seen:
                continue
            seen.add(num)
            before = ln[max(0, m.start() - 40) : m.start()]
            tm = g["_type_before"].search(before)
            after = ln[m.end() : m.end() + 40]
            date = None
            dm = re.match(r"\s*ngày\s+" + g["date"]["numeric"], after) or re.match(
                r"\s*ngày\s+" + g["date"]["words"], after
            )
            if dm:
                date = _date(dm.group("d"), dm.group("m"), dm.group("y"))
            out.append(LegalBasis(number=num, type=tm.group(1).capitalize() if tm else None, date=date))
    return out


def extract_metadata(doc: Document, first_task_table: int | None = None) -> DocumentMeta:
    """Return the document metadata read from the front matter of ``doc``."""
    g = _g()
    lines = document_lines(doc, stop_at_table=first_task_table)
    meta = DocumentMeta()
    meta.doc_type, at = _doc_type(lines)
    meta.title = _title(lines, at)
    meta.issuer = _issuer(lines)
    saw_number = saw_date = False
    for ln in lines[:40]:
        m = g["_number_line"].match(ln)
        if m and "/" in m.group("num"):
            saw_number = True
            num = re.sub(r"\s+", "", m.group("num"))
            meta.doc_number = None if num.startswith("/") else num
            break
    for ln in lines[:60]:
        # A PDF may put "Số: ..." and "<place>, ngày ..." on one line.
        m = g["_place_date"].match(g["_number_line"].sub("", ln).strip())
        if m:
            saw_date = True
            meta.place = m.group("place").strip()
            meta.issue_date = _date(m.group("d"), m.group("m"), m.group("y"))
            break
    if not (saw_number and saw_date):
        # No header block: "(Ban hành kèm theo Quyết định số 45/QĐ-UBND ngày 07 tháng 01 năm 2022)".
        for ln in lines:
            m = g["_attached"].search(ln)
            if not m:
                continue
            if not saw_number:
                meta.doc_number = re.sub(r"\s+", "", m.group("num"))
            if not saw_date and m.group("date"):
                dm = g["_numeric"].search(m.group("date")) or g["_words"].search(m.group("date"))
                if dm:
                    meta.issue_date = _date(dm.group("d"), dm.group("m"), dm.group("y"))
            break
    meta.province = _province(meta.issuer, meta.place)
    # A standalone plan is signed after its task table: look there when the front matter has none.
    meta.signer = _signer(lines)
    if meta.signer is None and first_task_table is not None:
        meta.signer = _signer(document_lines(doc))
    meta.legal_bases = _legal_bases(lines)
    ym = re.search(g["plan_year"]["title"], meta.title or "")
    if ym:
        meta.plan_year = int(ym.group("y"))
    elif meta.issue_date:
        meta.plan_year = meta.issue_date.year
    return meta
