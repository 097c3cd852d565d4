"""Assemble grid rows into logical task rows: sections, continuations, sub-rows.

Given the data rows of a task table (see :mod:`tthc_extract.segment.tables`), return the rows a
careful reader would record (GOLD_SPEC): section rows become sections; a row cut by a page break
is joined back; a row without an STT that adds its own result/agency/deadline is a sub-row that
repeats its parent's STT and task; "<task> (tiếp theo)" rows belong to that earlier task; empty
cells that were merged with the row above get the value from above.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex as re
from rapidfuzz import fuzz

from tthc_extract import grammars
from tthc_extract.model.document import BBox
from tthc_extract.model.warnings import Warning, warn
from tthc_extract.segment.realign import looks_like_agency, looks_like_deadline
from tthc_extract.segment.tables import GridRow
from tthc_extract.text.normalize import one_line
from tthc_extract.text.roman import roman_value, to_roman

DATA_FIELDS = ("result", "agency", "lead", "support", "start", "deadline")
TEXT_FIELDS = ("stt", "task", *DATA_FIELDS)
_BULLET = re.compile(r"^\s*(?:[-+•*–]\s|[a-zđ]\)\s|\(\d+\)\s|\d+\)\s)")
_ROMAN = re.compile(r"^(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})$")
SAME_TITLE = 80  # fuzz.ratio of two section titles that are the same title printed again


@dataclass
class Row:
    """A logical row under construction: texts per field plus provenance and notes."""

    section: str | None = None
    section_title: str | None = None
    stt: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    pages: list[int] = field(default_factory=list)
    table: int | None = None
    source_rows: list[int] = field(default_factory=list)
    # (table piece, row index) of every grid row read into this one: source_rows gives only the
    # index, and a row cut by a page break comes from two pieces (the debug view draws them all)
    sources: list[tuple[int, int]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    boxes: list[tuple[int, BBox]] = field(default_factory=list)  # (page, region) per grid row
    warnings: list[Warning] = field(default_factory=list)
    is_subrow: bool = False
    spans_pages: bool = False
    confidence: float | None = None
    extras: dict[int, str] = field(default_factory=dict)  # columns kept beside the row, by grid column

    def get(self, f: str) -> str:
        """Return the text of field ``f`` ("" when empty)."""
        return self.texts.get(f, "")

    def add_source(self, gr: GridRow) -> None:
        """Record that grid row ``gr`` contributed to this row."""
        if gr.page not in self.pages:
            self.pages.append(gr.page)
        self.source_rows.append(gr.index)
        self.sources.append((gr.table, gr.index))
        if gr.line is not None:
            self.lines.append(gr.line)
        if gr.bbox is not None:
            self.boxes.append((gr.page, gr.bbox))
        if self.table is None:
            self.table = gr.table
        if gr.confidence is not None:
            self.confidence = gr.confidence if self.confidence is None else min(self.confidence, gr.confidence)


@dataclass
class Section:
    """A section row: number ("I", "II.1") and title."""

    number: str
    title: str


@dataclass(frozen=True)
class _Structure:
    """The compiled structure grammar (grammars/structure.toml)."""

    roman: re.Pattern[str]
    letter: re.Pattern[str]
    prefixes: tuple[str, ...]
    marker: re.Pattern[str]
    stt: re.Pattern[str]
    dangling: frozenset[str]
    terminal: str


@grammars.cache
def _structure() -> _Structure:
    """Return the compiled structure grammar (loaded once)."""
    g = grammars.load("structure")
    return _Structure(
        roman=re.compile(g["section"]["roman"]),
        letter=re.compile(g["section"]["letter"]),
        prefixes=tuple(g["section"]["prefixes"]),
        marker=re.compile(g["continued"]["marker"], re.IGNORECASE),
        stt=re.compile(g["stt"]["valid"], re.IGNORECASE),
        dangling=frozenset(g["continuation"]["dangling"]),
        terminal=g["continuation"]["terminal"],
    )


def valid_stt(text: str) -> bool:
    """Return True for a printed row number ("1", "2.", "1.2", "a)")."""
    return bool(_structure().stt.match(text.strip()))


def clean_stt(text: str) -> str:
    """Return a group number for composing sections: trailing "." / ")" dropped ("1." -> "1")."""
    return text.strip().rstrip(".):").strip()


def printed_stt(text: str) -> str:
    """Return a row's STT as printed (GOLD_SPEC), only the trailing "." or ":" dropped: "1." -> "1", "a)" stays."""
    return text.strip().rstrip(".:").strip()


def continued_marker(text: str) -> str | None:
    """Return the text without a trailing "(tiếp theo)" marker, or None when there is none."""
    first = text.strip().split("\n")[-1] if text.strip() else ""
    m = _structure().marker.search(text.strip())
    if not m or not first:
        return None
    return text.strip()[: m.start()].strip().rstrip(".:;,")


def strip_section_prefix(text: str) -> str:
    """Return ``text`` without a leading section word: "Phần I. Kiểm soát" -> "I. Kiểm soát"."""
    s = text.strip()
    low = s.lower()
    for p in _structure().prefixes:
        if low.startswith(p + " "):
            return s[len(p) + 1 :].strip()
    return s


def split_section(text: str) -> tuple[str, str] | None:
    """Return (roman number, title) when ``text`` opens with a section number, else None."""
    s = strip_section_prefix(text)
    m = _structure().roman.match(s)
    if m and _ROMAN.match(m.group("num")):
        return m.group("num"), m.group("title").strip()
    m = _structure().letter.match(s)
    if m and m.group("title")[:1].isupper():
        return m.group("num"), m.group("title").strip()
    return None


def ends_unfinished(prev: str) -> bool:
    """Return True when a cell's text stops mid-sentence (no terminal mark, or a dangling word)."""
    p = prev.rstrip()
    if not p:
        return False
    words = p.split()
    last = words[-1].lower().strip(",")
    two = " ".join(words[-2:]).lower() if len(words) >= 2 else last
    dangling = _structure().dangling
    if last in dangling or two in dangling:
        return True
    return p[-1] not in _structure().terminal


def continues(prev: str, cur: str) -> bool:
    """Return True when ``cur`` (top of a new page) continues the sentence ``prev`` ended with."""
    c = cur.lstrip()
    if not c or not prev.strip():
        return False
    ch = c[0]
    if ch.islower():
        return True
    if _BULLET.match(c):
        return False
    p = prev.rstrip()
    words = p.split()
    last = words[-1].lower().strip(",") if words else ""
    if last in _structure().dangling:
        return True
    if ch.isdigit() and ends_unfinished(p):
        return True
    return False


def _join(a: str, b: str) -> str:
    """Join two halves of a text split by a page break with one space (or a line break)."""
    if not a:
        return b
    if not b:
        return a
    return a.rstrip() + "\n" + b.lstrip() if _BULLET.match(b) else a.rstrip() + " " + b.lstrip()


def _starts_fresh(prev: str, cur: str) -> bool:
    """Return True when ``cur`` plainly starts something new after ``prev`` (a finished text).

    A bullet that goes on a bulleted list, or any text after a list separator (";", ","), is
    not fresh: page breaks often fall between two items of one cell's list.
    """
    if continues(prev, cur) or not prev.strip():
        return not prev.strip()
    if _BULLET.match(cur) and _has_bullets(prev):
        return False
    return not ends_unfinished(prev)


def _has_bullets(text: str) -> bool:
    """Return True when the text is (partly) a bulleted list."""
    return any(_BULLET.match(ln) for ln in text.split("\n"))


class Assembler:
    """Walk the grid rows of one task table and build logical rows and sections."""

    def __init__(self, split_agencies: bool, has_start: bool = False) -> None:
        self.rows: list[Row] = []
        self.sections: list[Section] = []
        self.section: str | None = None
        self.section_title: str | None = None
        self.group: str | None = None
        self.agency_fields = ("lead", "support") if split_agencies else ("agency",)
        # Two time columns (start | due) are one deadline: copied and realigned together.
        self.deadline_fields = ("start", "deadline") if has_start else ("deadline",)
        self.data_fields = ("result", *self.agency_fields, *self.deadline_fields)
        # The top-level sections (not groups) in order, each with whether OCR read its row; per
        # row (by id) the ordinal of the top-level section it was read under.
        self._tops: list[tuple[Section, bool]] = []
        self._row_top: dict[int, int] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _new_row(self, gr: GridRow, stt: str | None, texts: dict[str, str]) -> Row:
        sec = self.section if self.group is None else f"{self.section}.{self.group}" if self.section else self.group
        row = Row(section=sec, section_title=self.section_title, stt=stt, texts=dict(texts),
                  extras={c: t for c, t in gr.extras.items() if t.strip()})
        row.warnings.extend(gr.notes)
        row.add_source(gr)
        self.rows.append(row)
        if self._tops:
            self._row_top[id(row)] = len(self._tops) - 1
        return row

    def _append(self, row: Row, gr: GridRow, texts: dict[str, str]) -> None:
        """Append continuation texts to ``row`` field by field (page-break join)."""
        for f, t in texts.items():
            if t.strip():
                row.texts[f] = _join(row.get(f), t)
        if gr.page not in row.pages:
            row.spans_pages = True
        if gr.index not in row.source_rows:
            for c, t in gr.extras.items():
                if t.strip() and t.strip() not in row.extras.get(c, ""):
                    row.extras[c] = _join(row.extras.get(c, ""), t)
        row.add_source(gr)

    def _fill_from(self, row: Row, parent: Row, fields: tuple[str, ...], why: str) -> None:
        """Copy empty ``fields`` of ``row`` from ``parent`` (cells merged with the row above)."""
        copied = [f for f in fields if not row.get(f).strip() and parent.get(f).strip()]
        for f in copied:
            row.texts[f] = parent.get(f)
        if copied:
            row.warnings.append(warn("cells_copied_from_above", f"{'/'.join(copied)} empty: {why}; copied from the row above"))

    # -- the walk --------------------------------------------------------------------------
    def feed(self, rows: list[GridRow]) -> None:
        """Process all grid rows of the table in order."""
        for i, gr in enumerate(rows):
            self._feed_one(gr, rows[i + 1 : i + 4])  # a group line looks at most 3 rows ahead
        self._repair_first_section()
        self._repair_ocr_section_numbers()

    def _repair_ocr_section_numbers(self) -> None:
        """Renumber a Roman section number OCR misread, when its neighbours say what it must be.

        Tesseract drops or adds a stem of a serif numeral ("II" read as "I" or "III"); the image
        check in ocr/numerals cannot always tell. A section between number n and number n + 2 is
        n + 1, and a last section repeating the one before is the next one. Only sections read by
        OCR are renumbered: in a typed file a repeated number is the source's own and is kept as
        printed (GOLD_SPEC: sections as printed, duplicates kept).
        """
        values = [roman_value(sec.number) for sec, _ in self._tops]
        for k in range(1, len(values)):
            prev, cur = values[k - 1], values[k]
            if not self._tops[k][1] or prev is None or cur is None or cur == prev + 1:
                continue
            nxt = values[k + 1] if k + 1 < len(values) else None
            same_title = fuzz.ratio(self._tops[k][0].title, self._tops[k - 1][0].title) >= SAME_TITLE
            if same_title:
                continue  # the section repeated over a page break, not a misread number
            if (nxt is not None and nxt == prev + 2) or (nxt is None and cur == prev):
                self._renumber_section(k, to_roman(prev + 1))
                values[k] = prev + 1

    def _renumber_section(self, k: int, number: str) -> None:
        """Give top-level section ``k`` the number ``number``: in the section list, its groups and rows."""
        top = self._tops[k][0]
        old = top.number
        at = next(i for i, sec in enumerate(self.sections) if sec is top)
        for sec in self.sections[at:]:
            if sec is not top and not sec.number.startswith(old + "."):
                break
            sec.number = number + sec.number[len(old):]
        for row in self.rows:
            if self._row_top.get(id(row)) == k and row.section is not None and row.section.startswith(old):
                row.section = number + row.section[len(old):]
                row.warnings.append(warn("section_renumbered",
                                         f"section number read as '{old}' between its neighbours: renumbered {number}"))

    def _repair_first_section(self) -> None:
        """Read a first row numbered "1" as section I when the sections start at II.

        Roman "I" is often printed or OCR'd as "1"; the tell is a table whose sections begin at
        II while its first two rows are both numbered 1 (the section line, then its first task).
        GOLD_SPEC keeps such a section line that carries cells as a row without STT; a bare
        section line (title only) is a section, not a row.
        """
        if not self.sections or self.sections[0].number != "II":
            return
        pre = [r for r in self.rows if r.section is None]
        if len(pre) < 2 or pre[0].stt != "1" or pre[1].stt != "1":
            return
        first = pre[0]
        first.stt = None
        title = one_line(first.get("task"))
        self.sections.insert(0, Section(number="I", title=title))
        self._tops.insert(0, (self.sections[0], False))
        self._row_top = {key: k + 1 for key, k in self._row_top.items()}
        self._row_top.update({id(r): 0 for r in pre})
        for r in pre:
            r.section, r.section_title = "I", title
        if not any(first.get(f).strip() for f in self.data_fields):
            self.rows.remove(first)
            return
        first.warnings.append(warn("section_one_as_row",
                                   "section I printed as '1' and carrying its own cells: kept as a row without STT"))

    def _feed_one(self, gr: GridRow, rest: list[GridRow]) -> None:
        texts = {f: gr.cells.get(f, "") for f in TEXT_FIELDS if f in gr.cells}
        stt_text = texts.get("stt", "").strip()
        if stt_text and _ROMAN.match(strip_section_prefix(stt_text).rstrip(".")):
            stt_text = strip_section_prefix(stt_text)  # "Phần I" in the STT cell
        # A spanning cell, or all content in the first column: section or group line.
        if self._try_section(gr, texts, stt_text):
            return
        if stt_text and not valid_stt(stt_text):
            texts, stt_text = self._repair_stt(gr, texts, stt_text)
        if stt_text and _ROMAN.match(stt_text.rstrip(".")) is None and self._try_group(gr, texts, stt_text, rest):
            return
        if stt_text:
            self._numbered(gr, texts, printed_stt(stt_text))
        else:
            self._unnumbered(gr, texts)

    def _try_section(self, gr: GridRow, texts: dict[str, str], stt_text: str) -> bool:
        """Handle a section row (Roman numeral) — possibly carrying task cells; True if handled."""
        extra = {f: texts[f] for f in self.data_fields if texts.get(f, "").strip() and f not in gr.merged}
        is_letter = bool(re.match(r"^[A-H]\.?$", stt_text)) and not extra
        if (_ROMAN.match(stt_text.rstrip(".")) or is_letter) and (texts.get("task", "").strip() or gr.spanning):
            num, title = stt_text.rstrip("."), texts.get("task", "")
        else:
            first = stt_text or texts.get("task", "")
            if not (gr.spanning or (stt_text and not texts.get("task", "").strip())):
                return False
            sec = split_section(first)
            if sec is None:
                return False
            num, title = sec
            if not extra and not gr.spanning and any(texts.get(f, "").strip() for f in self.data_fields):
                return False
        lines = [ln for ln in title.split("\n") if ln.strip()]
        title1 = lines[0] if lines else ""
        rest = " ".join(lines[1:])
        base = continued_marker(title1)
        if base is not None and self.section == num:
            pass  # "III. ... (tiếp theo)": the same section goes on
        else:
            self.section, self.section_title, self.group = num, (base if base is not None else title1), None
            self.sections.append(Section(number=num, title=self.section_title))
            self._tops.append((self.sections[-1], gr.confidence is not None))
        if extra:
            prev = self.rows[-1] if self.rows else None
            if prev is not None and not any(prev.get(f).strip() for f in self.data_fields):
                # The previous task's cells were exported on the section line.
                self._append(prev, gr, extra)
                # A second paragraph in the title cell repeats the next task's opening: dropped.
                prev.warnings.append(warn("section_line_cells_to_previous",
                                          "result/agency/deadline read from the following section line"))
            else:
                row = self._new_row(gr, None, {"task": rest or title1, **extra})
                row.warnings.append(warn("section_line_kept_as_row",
                                         "section line also carries result/agency/deadline: kept as a row"))
        return True

    def _try_group(self, gr: GridRow, texts: dict[str, str], stt_text: str, rest: list[GridRow]) -> bool:
        """Handle an Arabic group line ("1 | Cấp tỉnh" with no other cells): a (sub-)section.

        It is a group when the next numbered row opens a level below it ("1.1", "a)") or
        restarts at 1 inside a Roman section; without a Roman section the group is the section.
        """
        if any(texts.get(f, "").strip() for f in self.data_fields) or "task" in gr.merged:
            return False
        if not re.match(r"^\d{1,2}\.?$", stt_text):
            return False
        num = clean_stt(stt_text)
        for later in rest[:3]:
            s = clean_stt(later.cells.get("stt", ""))
            if not s:
                continue
            child = s.startswith(num + ".") or bool(re.match(r"^[a-zđ]$", s))
            if child or (s == "1" and self.section is not None):
                self.group = num
                number = f"{self.section}.{num}" if self.section else num
                self.sections.append(Section(number=number, title=one_line(texts.get("task", ""))))
                return True
            return False
        return False

    def _repair_stt(self, gr: GridRow, texts: dict[str, str], stt_text: str) -> tuple[dict[str, str], str]:
        """An STT cell that is not a number: a shifted row (cells moved left) or a task tail."""
        if len(stt_text) > 12 and not texts.get("task", "").strip():
            # Leading merged cells (STT, task) missing from the export: realign by content.
            values = [texts.get(f, "") for f in ("stt", "task", *self.data_fields)]
            values = [v for v in values if v.strip()]
            new = {f: "" for f in texts}
            for f in reversed(self.data_fields):
                if not values:
                    break
                if f == "deadline" and looks_like_deadline(values[-1]):
                    new[f] = values.pop()
                elif f in self.agency_fields and looks_like_agency(values[-1]) and len(values) > 1:
                    new[f] = values.pop()
            if values:
                new["result"] = " ".join(values)
            gr.merged.discard("task")
            return new, ""
        new = dict(texts)
        new["task"] = _join(stt_text, texts.get("task", ""))
        new["stt"] = ""
        return new, ""

    def _numbered(self, gr: GridRow, texts: dict[str, str], stt: str) -> None:
        prev = self.rows[-1] if self.rows else None
        body = {f: t for f, t in texts.items() if f != "stt"}
        if not any(t.strip() for t in body.values()):
            # A row holding only a number: the number of the row above that lacked one.
            if prev is not None and prev.stt is None:
                prev.stt = stt
            return
        if gr.page_top and prev is not None:
            body = self._peel_continuations(prev, gr, body)
        if "task" in gr.merged and prev is not None and prev.stt == stt:
            row = self._new_row(gr, stt, body)
            row.is_subrow = True
            row.texts["task"] = prev.get("task")
            return
        self._new_row(gr, stt, body)

    def _peel_continuations(self, prev: Row, gr: GridRow, body: dict[str, str]) -> dict[str, str]:
        """Move leading lines of a page-top numbered row that finish ``prev``'s cells onto it."""
        moved: dict[str, str] = {}
        out = dict(body)
        for f, t in body.items():
            lines = [ln for ln in t.split("\n") if ln.strip()]
            if not lines or not continues(prev.get(f), lines[0]):
                continue
            k = 1
            if f != "task":
                while k < len(lines) and (
                    lines[k][:1].islower() or (_BULLET.match(lines[k]) and _has_bullets(prev.get(f)))
                ):
                    k += 1
            elif len(lines) == 1:
                continue  # the task cell must keep its own text
            moved[f] = "\n".join(lines[:k])
            out[f] = "\n".join(lines[k:])
        if moved:
            self._append(prev, gr, moved)
            prev.warnings.append(warn("continued_in_next_row", "continued on the next page inside the following numbered row"))
        return out

    def _unnumbered(self, gr: GridRow, texts: dict[str, str]) -> None:
        prev = self.rows[-1] if self.rows else None
        task = texts.get("task", "").strip()
        if prev is None:
            self._new_row(gr, None, texts)
            return
        # "<task> (tiếp theo)": the rest of an earlier task after a page break.
        base = continued_marker(task) if task else None
        if base is not None:
            parent = _find_task(self.rows, base) or prev
            row = self._new_row(gr, parent.stt, {**texts, "task": parent.get("task")})
            row.is_subrow = True
            row.warnings.append(warn("continuation_row", "'(tiếp theo)' row: STT and task taken from the task it continues"))
            self._fill_from(row, parent, self.agency_fields + self.deadline_fields, "merged with the row above")
            return
        if "task" in gr.merged or (not task and not gr.page_top):
            self._subrow(gr, texts, prev)
            return
        if gr.page_top or gr.hint_split:
            cont = {f: continues(prev.get(f), t) for f, t in texts.items() if t.strip()}
            task_cont = cont.get("task", False)
            # The loader's hint counts only when no cell plainly starts something new.
            fresh = any(_starts_fresh(prev.get(f), t) for f, t in texts.items() if t.strip() and not cont.get(f))
            # One cell that plainly goes on ("Kế hoạch" + "của UBND tỉnh") carries the others
            # when none of them starts anything new ("Sở KH&ĐT," + "Sở Tài chính").
            # A row holding only a task fragment is the rest of the task above, not a task.
            only_task = bool(task) and not any(texts.get(f, "").strip() for f in self.data_fields)
            if task_cont or (not fresh and (any(cont.values()) or only_task or (not task and gr.hint_split))):
                self._append(prev, gr, texts)
                return
            if not task:
                # A new result under the same task after a page break; cells that go on the
                # previous row's sentence are appended to it first.
                self._split_mixed(prev, gr, texts, cont)
                self._subrow(gr, {f: ("" if cont.get(f) else t) for f, t in texts.items()}, prev)
                return
            self._split_mixed(prev, gr, texts, cont)
            texts = {f: ("" if cont.get(f) else t) for f, t in texts.items()}
        row = self._new_row(gr, None, texts)
        row.warnings.append(warn("row_without_stt", "row without STT but with its own task"))
        self._fill_from(row, prev, self.data_fields, "cells merged with the row above")

    def _split_mixed(self, prev: Row, gr: GridRow, texts: dict[str, str], cont: dict[str, bool]) -> None:
        """Append the cells of a page-top row that continue ``prev``'s sentences to ``prev``."""
        tails = {f: texts[f] for f, c in cont.items() if c}
        if tails:
            self._append(prev, gr, tails)

    def _subrow(self, gr: GridRow, texts: dict[str, str], prev: Row) -> None:
        """Add a sub-row: STT and task repeated from ``prev``; merged empty cells copied."""
        row = self._new_row(gr, prev.stt, {**texts, "task": prev.get("task")})
        row.is_subrow = True
        # A cell merged with the row above holds that row's (whole) value, even when the page
        # break cut the merged cell and only its tail sits on this page.
        merged = sorted(f for f in gr.merged - {"stt", "task"} if prev.get(f))
        for f in merged:
            row.texts[f] = prev.get(f)
        if merged:
            row.warnings.append(warn("cells_merged_above", f"{'/'.join(merged)}: cell merged with the row above in the source"))
        _merge_split_list(prev, row, self.agency_fields)
        if gr.merges_known:
            return  # the source shows merges: an empty cell is really empty
        # Agencies are one group: a sub-row naming its own lead keeps its (empty) support.
        agencies_empty = not any(row.get(f).strip() for f in self.agency_fields)
        fields = (*(self.agency_fields if agencies_empty else ()), *self.deadline_fields)
        self._fill_from(row, prev, fields, "merged with the row above")


def _merge_split_list(prev: Row, row: Row, agency_fields: tuple[str, ...]) -> None:
    """Join an agency list the export split over two rows ("...; " then "- ...") into both rows."""
    for f in agency_fields:
        a, b = prev.get(f).rstrip(), row.get(f).strip()
        if a and b and a.endswith((";", ",")) and _BULLET.match(b):
            whole = a + "\n" + b
            prev.texts[f] = whole
            row.texts[f] = whole
            note = "agency list split over two rows in the export; the full list is used for both"
            prev.warnings.append(warn("agency_list_split", note))
            row.warnings.append(warn("agency_list_split", note))


def _find_task(rows: list[Row], base: str) -> Row | None:
    """Return the latest row whose task starts like ``base`` (for "(tiếp theo)" rows)."""
    b = " ".join(base.split()).lower()
    if not b:
        return None
    best: tuple[float, Row | None] = (0.0, None)
    for r in reversed(rows):
        t = " ".join(r.get("task").split()).lower()
        if not t:
            continue
        score = fuzz.ratio(b, t[: len(b)]) if len(t) >= len(b) else fuzz.ratio(b, t)
        if score > best[0]:
            best = (score, r)
    return best[1] if best[0] >= 85 else None


def assemble(rows: list[GridRow], split_agencies: bool, has_start: bool = False) -> tuple[list[Row], list[Section]]:
    """Return the logical rows and sections of one task table's grid rows."""
    asm = Assembler(split_agencies, has_start)
    asm.feed(rows)
    return asm.rows, asm.sections
