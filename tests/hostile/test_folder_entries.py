"""One batch of two good plans beside hostile entries: odd names, damaged Word files, no-file entries.

Each hostile entry ends in its own `error:` line or in the `note:` on left-out entries (exit 1,
documented for a batch where a file failed), and the good plans' outputs are byte-identical to a
clean run of them alone.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tthc_extract.loaders.office import NOT_A_DOCUMENT, find_soffice
from tthc_extract.names import NAME_MAX

from .conditions import GOOD, CliRun, cli, good_plans

LONG = "kế hoạch kiểm soát thủ tục hành chính " * 5  # 255 bytes of UTF-8 ...
_CUT = LONG.encode()[:250].decode("utf-8", "ignore")
LONG_NAME = _CUT + "x" * (250 - len(_CUT.encode())) + ".txt"  # ... cut to 254 bytes with .txt
BAD_NAME = os.fsdecode(b"bad\xff\xfe.txt")  # not UTF-8: held as surrogates (PEP 383)
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
HTML_PLAN = """<html><body><p>ỦY BAN NHÂN DÂN TỈNH NAM ĐỊNH</p><p>Số: 12/QĐ-UBND</p>
<p>Nam Định, ngày 05 tháng 02 năm 2024</p><p>KẾ HOẠCH Kiểm soát thủ tục hành chính năm 2024</p>
<table border="1"><tr><th>STT</th><th colspan="abc">Nội dung công việc</th><th>Sản phẩm</th>
<th rowspan="x">Cơ quan thực hiện</th><th>Thời gian hoàn thành</th></tr>
<tr><td>1</td><td colspan="">Rà soát quy định</td><td>Báo cáo</td><td>Sở Tư pháp</td><td>Quý II</td></tr>
<tr><td>2</td><td>Công bố thủ tục</td><td>Quyết định</td><td colspan="1.5x">Văn phòng UBND tỉnh</td>
<td>Tháng 6</td></tr></table></body></html>
"""


def _hostile(src: Path) -> None:
    """Add the hostile entries beside the good plans of ``src``."""
    shutil.copy(src / "a.txt", src / LONG_NAME)
    shutil.copy(src / "b.txt", src / BAD_NAME)
    rng = random.Random(17)
    (src / "random.doc").write_bytes(rng.randbytes(30_000))
    (src / "damaged-ole.doc").write_bytes(OLE_MAGIC + rng.randbytes(30_000))
    (src / "spans.html").write_text(HTML_PLAN, encoding="utf-8")
    os.mkfifo(src / "pipe.pdf")
    (src / "gone.pdf").symlink_to(src / "nowhere.pdf")
    (src / "loop.txt").symlink_to(src / "loop.txt")


class Runs:
    """The clean run of the good plans and the hostile run of the same folder."""

    def __init__(self, root: Path) -> None:
        self.src = good_plans(root / "in")
        self.clean_out, self.out = root / "clean", root / "out"
        self.clean = cli("extract", str(self.src), "-o", str(self.clean_out), "-q", "-j", "2")
        _hostile(self.src)
        self.run: CliRun = cli("extract", str(self.src), "-o", str(self.out), "-q", "-j", "2",
                               "--format", "parquet,xlsx,csv")
        self.errors = {e["file"]: e["error"] for e in map(json.loads, (self.out / "errors.jsonl").read_text(
            encoding="utf-8").splitlines())}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(tmp_path_factory.mktemp("hostile"))


def _error_lines(r: Runs) -> list[str]:
    return [x for x in r.run.lines() if x.startswith("error: ")]


def test_the_batch_ends_with_one_line_per_failed_file_and_no_traceback(runs: Runs) -> None:
    assert runs.clean.code == 0
    assert runs.run.code == 1  # documented: 1 when a file failed
    assert "Traceback" not in runs.run.stderr
    assert sorted(_error_lines(runs)) == sorted(f"error: {e}" for e in runs.errors.values())
    assert runs.run.stdout.startswith("7 file(s): 5 extracted, 2 failed;")


def test_good_plans_outputs_are_byte_identical_to_a_clean_run(runs: Runs) -> None:
    for name in GOOD:
        assert (runs.out / f"{name}.json").read_bytes() == (runs.clean_out / f"{name}.json").read_bytes()
    good = set(GOOD)  # the dataset names files relative to the input folder
    for table in ("rows", "documents", "agencies"):
        clean = pq.read_table(runs.clean_out / f"{table}.parquet").sort_by("file").to_pylist()
        kept = [r for r in pq.read_table(runs.out / f"{table}.parquet").sort_by("file").to_pylist()
                if r["file"] in good]
        assert sorted(kept, key=repr) == sorted(clean, key=repr)


def test_a_254_byte_name_gets_a_shortened_output_that_keeps_the_name(runs: Runs) -> None:
    assert len(LONG_NAME.encode()) == 254
    outs = [p for p in runs.out.glob("*.json") if p.name.startswith(LONG[:40])]
    assert len(outs) == 1 and len(os.fsencode(outs[0].name)) <= NAME_MAX and "~" in outs[0].name
    data = json.loads(outs[0].read_text(encoding="utf-8"))
    assert data["file"] == LONG_NAME and data["source"] == LONG_NAME  # relative to the input folder
    same = json.loads((runs.out / "a.txt.json").read_text(encoding="utf-8"))["rows"]
    assert data["rows"] and [_no_id(r) for r in data["rows"]] == [_no_id(r) for r in same]  # read as its copy a.txt


def _no_id(row: dict[str, object]) -> dict[str, object]:
    """Return a row without what names its file (row id, provenance's file)."""
    prov = {k: v for k, v in row["provenance"].items() if k != "file"}  # type: ignore[attr-defined]
    return {**{k: v for k, v in row.items() if k != "row_id"}, "provenance": prov}


def test_a_name_that_is_not_utf8_is_stored_as_given_and_shown_escaped(runs: Runs) -> None:
    out = runs.out / f"{BAD_NAME}.json"
    raw = out.read_bytes()
    raw.decode("utf-8")  # the file is valid UTF-8 ...
    assert b'"source": "bad\\udcff\\udcfe.txt"' in raw  # ... and holds the name as given, escaped
    assert os.fsencode(json.loads(raw)["file"]) == b"bad\xff\xfe.txt"  # relative to the input folder
    manifest = json.loads((runs.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"][f"{BAD_NAME}.json"]["input"] == str(runs.src / BAD_NAME)
    files = set(pq.read_table(runs.out / "documents.parquet").column("file").to_pylist())
    assert "bad\\xff\\xfe.txt" in files  # Parquet strings are UTF-8: shown escaped
    assert "bad\\xff\\xfe.txt,bad\\xff\\xfe.txt#1," in (runs.out / "rows.csv").read_text(encoding="utf-8-sig")
    assert (runs.out / "tthc.xlsx").is_file()  # the spreadsheets read the JSON back, escapes and all


@pytest.mark.skipif(find_soffice() is None and not os.environ.get("CI"), reason="LibreOffice is not installed")
@pytest.mark.parametrize("name", ["random.doc", "damaged-ole.doc"])
def test_a_doc_of_random_bytes_is_unreadable_not_an_empty_plan(runs: Runs, name: str) -> None:
    path = str(runs.src / name)
    assert runs.errors[path] == f"{path}: {NOT_A_DOCUMENT}"
    assert not (runs.out / f"{name}.json").exists()


def test_entries_that_are_no_regular_file_are_counted_in_the_note(runs: Runs) -> None:
    assert ("note: 3 entries in the folders are not regular files and were left out "
            "(broken symbolic link: 1, symbolic link loop: 1, FIFO: 1)") in runs.run.lines()
    assert not any(n in e for e in runs.errors for n in ("pipe.pdf", "gone.pdf", "loop.txt"))


def test_malformed_span_attributes_are_read_as_browsers_read_them(runs: Runs) -> None:
    assert str(runs.src / "spans.html") not in runs.errors
    rows = json.loads((runs.out / "spans.html.json").read_text(encoding="utf-8"))["rows"]
    assert [(r["stt"], r["task"]) for r in rows] == [("1", "Rà soát quy định"), ("2", "Công bố thủ tục")]
