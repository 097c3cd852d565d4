"""The batch driver: outputs equal to single-document extraction, incremental re-runs, faults, stop."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from tthc_extract.batch import BatchError, BatchOptions, read_table, run_batch
from tthc_extract.batch import run as run_module
from tthc_extract.batch.manifest import Manifest
from tthc_extract.batch.sink import PART_GLOB, TABLES
from tthc_extract.batch.work import FAULTS_ENV, TABLE_SCHEMAS
from tthc_extract.export import frames
from tthc_extract.export.writers import plan_json
from tthc_extract.inputs import expand_inputs
from tthc_extract.model.columns import to_arrow
from tthc_extract.pipeline import extract_one

from .corpus import QB, QN, TG, all_flat, canonical, copy_sample, small_corpus, temporaries

RECORDS = {
    "documents": frames.document_records,
    "rows": frames.row_records,
    "prose_tasks": frames.prose_records,
    "agencies": frames.agency_records,
}


def _run(src: Path, out: Path, **kw: object) -> run_module.BatchSummary:
    opts = BatchOptions(**{"jobs": 2, "timeout": 60.0, **kw})  # type: ignore[arg-type]
    return run_batch(expand_inputs([str(src)]), out, opts)


def _expected(*roots: Path) -> dict[str, pa.Table]:
    """Return the flat tables a one-by-one extraction of the inputs of ``roots`` gives, sorted.

    The dataset names each input relative to its input folder.
    """
    paths = [(p, root) for root in roots for p in _inputs(root)]
    plans = [extract_one(p).plan for p, _ in paths]
    for (p, root), plan in zip(paths, plans, strict=True):
        assert plan is not None
        plan.set_file(p.relative_to(root).as_posix())
    return {name: canonical(to_arrow(RECORDS[name](plans), TABLE_SCHEMAS[name]), name)  # type: ignore[arg-type]
            for name in TABLES}


def _inputs(src: Path) -> list[Path]:
    return [p for p, _ in expand_inputs([str(src)])]


def test_outputs_equal_one_by_one_extraction(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    s = _run(src, out)
    assert (s.files, s.extracted, s.failed, s.unchanged, s.interrupted) == (3, 3, 0, 0, False)
    assert s.rows == 37 + 46 + 46
    for p in _inputs(src):  # the JSON is byte for byte what the single-file path writes
        res = extract_one(p)
        assert res.plan is not None
        rel = p.relative_to(src)
        res.plan.set_file(rel.as_posix())  # the dataset names its inputs relative to the input folder
        assert (out / rel.parent / f"{rel.name}.json").read_text(encoding="utf-8") == plan_json(res.plan)
    expected = _expected(src)
    got = all_flat(out)
    for name in TABLES:
        assert got[name].equals(expected[name]), name
        assert canonical(read_table(out, name), name).equals(expected[name]), name
    parts = sorted(str(p.relative_to(out / "rows")) for p in (out / "rows").rglob(PART_GLOB))
    assert parts == ["province_slug=quang-binh/part-2022.parquet", "province_slug=quang-ngai/part-2022.parquet",
                     "province_slug=tien-giang/part-2022.parquet"]
    df = pd.read_parquet(out / "rows")  # pandas reads the folder as one table
    assert len(df) == 129 and set(df["province"]) == {"Quảng Bình", "Quảng Ngãi", "Tiền Giang"}
    assert ds.dataset(out / "agencies", partitioning="hive").count_rows() == expected["agencies"].num_rows
    assert not temporaries(out) and (out / "errors.jsonl").read_text() == ""
    m = Manifest.load(out)
    assert sorted(m.entries) == ["a.txt.json", "sub/b.txt.json", "sub/c.docx.json"]
    assert m.entries["a.txt.json"].province == "Tiền Giang" and not m.dirty


def test_rerun_skips_unchanged_redoes_changed_and_forced(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    _run(src, out)
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in (".json", ".parquet"))
    stamps = {p: p.stat().st_mtime_ns for p in files}
    s = _run(src, out)
    assert (s.extracted, s.unchanged, s.rows) == (0, 3, 129)
    assert {p: p.stat().st_mtime_ns for p in files} == stamps  # nothing rewritten

    for f in _inputs(src):  # a fresh clone: new times, same content
        os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    s = _run(src, out)
    assert (s.extracted, s.unchanged) == (0, 3)
    assert {e.mtime_ns for e in Manifest.load(out).entries.values()} == {f.stat().st_mtime_ns for f in _inputs(src)}

    copy_sample(src / "a.txt", f"{QB}.txt")  # a.txt moves from Tiền Giang to Quảng Bình
    s = _run(src, out)
    assert (s.extracted, s.unchanged) == (1, 2)
    assert not (out / "rows" / "province_slug=tien-giang").exists()
    assert (out / "sub" / "c.docx.json").stat().st_mtime_ns == stamps[out / "sub" / "c.docx.json"]
    expected = _expected(src)
    for name in TABLES:
        assert all_flat(out)[name].equals(expected[name]), name
        assert canonical(read_table(out, name), name).equals(expected[name]), name

    s = _run(src, out, force=True)
    assert (s.extracted, s.unchanged) == (3, 0)


def test_new_tool_fingerprint_redoes_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    _run(src, out)
    monkeypatch.setattr(run_module, "tool_stamp", lambda settings=None: ("0.1.0", "another-fingerprint"))
    s = _run(src, out)
    assert (s.extracted, s.unchanged) == (3, 0)
    assert {e.fingerprint for e in Manifest.load(out).entries.values()} == {"another-fingerprint"}


def test_outputs_of_separate_runs_form_one_dataset(tmp_path: Path) -> None:
    a = small_corpus(tmp_path / "a")
    b = tmp_path / "b"
    copy_sample(b / "x" / "d.txt", f"{QN}.txt")
    out = tmp_path / "out"
    _run(a, out)
    s = _run(b, out)
    assert (s.files, s.extracted) == (1, 1)
    expected = _expected(a, b)
    for name in TABLES:
        assert canonical(read_table(out, name), name).equals(expected[name]), name
        assert all_flat(out)[name].equals(expected[name]), name


def test_document_that_now_fails_leaves_the_dataset(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    _run(src, out)
    (src / "sub" / "c.docx").write_bytes(b"not a zip package")
    s = _run(src, out)
    assert (s.extracted, s.failed, s.unchanged) == (0, 1, 2)
    assert not (out / "sub" / "c.docx.json").exists()
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert errors == [{"file": str(src / "sub" / "c.docx"),
                       "error": f"{src / 'sub' / 'c.docx'}: not a Word .docx file (not a zip package)"}]
    assert not (out / "rows" / "province_slug=quang-ngai").exists()
    assert set(read_table(out, "rows")["province"].to_pylist()) == {"Tiền Giang", "Quảng Bình"}


def test_hang_exit_and_segfault_are_reported_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    for name, sample in (("a.txt", TG), ("b.txt", QB), ("c.txt", QN), ("hang_me.txt", TG), ("exit_me.txt", TG),
                         ("segv_me.txt", TG), ("raise_me.txt", TG)):
        copy_sample(src / name, f"{sample}.txt")
    monkeypatch.setenv(FAULTS_ENV, "hang=hang_me,exit=exit_me,segv=segv_me,raise=raise_me")
    s = _run(src, out, timeout=8.0)  # room for a loaded CI machine: the first prose plan loads underthesea
    assert (s.extracted, s.failed) == (3, 4)
    errors = {Path(e["file"]).name: e["error"] for e in run_module.read_errors(out)}
    assert errors == {
        "exit_me.txt": f"{src / 'exit_me.txt'}: worker crashed (exit code 70)",
        "hang_me.txt": f"{src / 'hang_me.txt'}: timed out after 8s (worker stopped)",
        "segv_me.txt": f"{src / 'segv_me.txt'}: worker crashed (SIGSEGV)",
        "raise_me.txt": f"{src / 'raise_me.txt'}: internal error (RuntimeError: test fault)",
    }
    assert sorted(set(read_table(out, "documents")["file"].to_pylist())) == sorted(
        p.relative_to(src).as_posix() for p in _inputs(src) if "_me" not in p.name)
    assert not temporaries(out)

    monkeypatch.delenv(FAULTS_ENV)
    s = _run(src, out)  # failures are tried again; the good documents are not
    assert (s.extracted, s.failed, s.unchanged) == (4, 0, 3)
    assert (out / "errors.jsonl").read_text() == ""  # written, empty
    assert read_table(out, "documents").num_rows == 7


def test_stop_keeps_what_finished_and_the_next_run_does_the_rest(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    for i in range(6):
        copy_sample(src / f"d{i}.txt", f"{(QB, QN, TG)[i % 3]}.txt")
    done: list[str] = []
    s = run_batch(expand_inputs([str(src)]), out, BatchOptions(jobs=1), on_done=lambda p, st, e: done.append(p),
                  stop=lambda: len(done) >= 2)
    assert s.interrupted and 2 <= s.extracted < 6
    m = Manifest.load(out)
    assert len(m.entries) == s.extracted and not m.dirty
    assert read_table(out, "documents").num_rows == s.extracted  # the dataset holds what finished
    assert sum(e.n_rows for e in m.entries.values()) == read_table(out, "rows").num_rows
    assert not temporaries(out) and not (out / ".tthc" / "running").exists()
    first = s.extracted
    s = _run(src, out)
    assert (s.extracted, s.unchanged, s.interrupted) == (6 - first, first, False)
    assert read_table(out, "documents").num_rows == 6


def test_null_partitions_and_generic_tables(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    copy_sample(src / "none.txt", "no_metadata.txt")
    copy_sample(src / "stats.txt", "stats_table.txt")
    copy_sample(src / "a.txt", f"{TG}.txt")
    s = _run(src, out)
    assert s.extracted == 3
    parts = sorted(str(p.relative_to(out / "documents")) for p in (out / "documents").rglob(PART_GLOB))
    assert parts == [
        "province_slug=tien-giang/part-2022.parquet",
        "province_slug=unknown/part-2023.parquet",
        "province_slug=unknown/part-unknown.parquet",
    ]
    docs = {d["source"]: (d["province"], d["plan_year"]) for d in read_table(out, "documents").to_pylist()}
    assert docs == {"none.txt": (None, None), "stats.txt": (None, 2023), "a.txt": ("Tiền Giang", 2022)}
    df = pd.read_parquet(out / "rows")  # plain pandas, though a document has no province and no year
    assert len(df) == read_table(out, "rows").num_rows
    generic = out / "tables" / "stats.txt.1.parquet"
    assert generic.is_file() and not (out / "tables" / "stats.txt.2.parquet").exists()
    copy_sample(src / "stats.txt", f"{QB}.txt")  # no generic table any more: its file goes
    _run(src, out)
    assert not generic.exists()


def test_same_output_name_twice_is_reported(tmp_path: Path) -> None:
    one = copy_sample(tmp_path / "1" / "a.txt", f"{TG}.txt")
    two = copy_sample(tmp_path / "2" / "a.txt", f"{QB}.txt")
    s = run_batch([(one, None), (two, None)], tmp_path / "out", BatchOptions(jobs=1))
    assert (s.extracted, s.failed) == (1, 1)
    assert json.loads((tmp_path / "out" / "a.txt.json").read_text(encoding="utf-8"))["source"] == one.name
    assert run_module.read_errors(tmp_path / "out") == [
        {"file": str(two), "error": f"{two}: not extracted: its output a.txt.json is also that of {one} (same file name; give "
                               "the folder that holds both, so that sub-folders keep them apart)"}]


def test_second_batch_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    with run_module._output_lock(out), pytest.raises(BatchError, match="another extract"):
        _run(src, out)


def test_killed_run_leftovers_are_swept_and_lost_parts_redone(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    _run(src, out)
    (out / ".tthc" / "running").touch()  # as a killed batch leaves it
    stale = out / "sub" / ".b.txt.json.x1y2.tmp"
    stale.write_text("{half", encoding="utf-8")
    shutil.rmtree(out / ".tthc" / "parts")
    s = _run(src, out)
    assert (s.extracted, s.unchanged) == (3, 0)  # parts gone: redone
    assert not stale.exists() and not temporaries(out)
    assert read_table(out, "rows").num_rows == 129


def test_error_of_a_deleted_file_is_dropped_and_earlier_documents_are_noted(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    (src / "empty.pdf").write_bytes(b"")
    s = _run(src, out)
    assert (s.extracted, s.failed) == (3, 1) and [e["file"] for e in run_module.read_errors(out)] == [
        str(src / "empty.pdf")]
    (src / "empty.pdf").unlink()
    (src / "a.txt").unlink()
    s = _run(src, out)
    assert (s.files, s.unchanged, s.failed) == (2, 2, 0)
    assert (out / run_module.ERRORS_NAME).read_text() == ""
    assert s.notes == [f"{out} also holds 1 document(s) of earlier runs that are not among these inputs "
                       "(listed in manifest.json); delete the folder to start a fresh dataset"]
    assert (out / "a.txt.json").is_file() and read_table(out, "documents").num_rows == 3


def test_problems_count_as_failed_and_go_to_errors(tmp_path: Path) -> None:
    one = copy_sample(tmp_path / "a.txt", f"{TG}.txt")
    seen: list[tuple[str, str, str | None]] = []
    problem = {"file": "x/*.pdf", "error": "x/*.pdf: no file matches this pattern"}
    s = run_batch([one], str(tmp_path / "out"), BatchOptions(jobs=1), on_done=lambda *a: seen.append(a),
                  problems=[problem])
    assert (s.files, s.extracted, s.failed) == (2, 1, 1)
    assert ("x/*.pdf", "failed", problem["error"]) in seen
    assert run_module.read_errors(tmp_path / "out") == [problem]
    assert (tmp_path / "out" / "a.txt.json").is_file()  # a plain path: output at the top of OUTDIR
    assert read_table(str(tmp_path / "out"), "rows").num_rows == 37
    with pytest.raises(ValueError, match="unknown table 'row'"):
        read_table(tmp_path / "out", "row")
