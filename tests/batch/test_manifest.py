"""The manifest: up-to-date checks, dirty partitions, and a damaged file."""

from __future__ import annotations

from pathlib import Path

from tthc_extract.batch.manifest import MANIFEST_NAME, Entry, Manifest

STAMP = ("0.1.0", "abc")


def _entry(sha: str, province: str | None = "Tiền Giang", status: str = "ok") -> Entry:
    return Entry("in/a.txt", sha, *STAMP, status=status, province=province, plan_year=2022)  # type: ignore[arg-type]


def test_record_marks_old_and_new_partitions_dirty_and_round_trips(tmp_path: Path) -> None:
    m = Manifest.load(tmp_path)
    m.record("a.txt.json", _entry("s1"))
    assert m.dirty == {("Tiền Giang", 2022)}
    m.dirty.clear()
    m.record("a.txt.json", _entry("s2", province=None))
    assert m.dirty == {("Tiền Giang", 2022), (None, 2022)}
    m.save()
    back = Manifest.load(tmp_path)
    assert back.entries == m.entries and back.dirty == m.dirty
    assert back.is_current("a.txt.json", "s2", STAMP)
    assert not back.is_current("a.txt.json", "s1", STAMP)
    assert not back.is_current("a.txt.json", "s2", ("0.1.0", "other"))
    assert back.members((None, 2022)) == ["a.txt.json"] and back.members(("Tiền Giang", 2022)) == []


def test_failed_entry_is_never_current(tmp_path: Path) -> None:
    m = Manifest.load(tmp_path)
    m.record("a.txt.json", _entry("s1", status="failed"))
    assert not m.is_current("a.txt.json", "s1", STAMP) and not m.dirty
    assert [e.input for e in m.failed()] == ["in/a.txt"]


def test_damaged_manifest_reads_as_empty(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text('{"format": 1, "documents": {"a": 3}', encoding="utf-8")
    assert Manifest.load(tmp_path).entries == {}
    (tmp_path / MANIFEST_NAME).write_text('{"format": 1, "documents": {"a": {"bogus": 1}}}', encoding="utf-8")
    assert Manifest.load(tmp_path).entries == {}


def test_stored_hash_is_reused_only_for_an_untouched_file_hashed_well_after_its_change(tmp_path: Path) -> None:
    m = Manifest.load(tmp_path)
    e = _entry("s1")
    e.size, e.mtime_ns, e.hashed_ns = 10, 1_000 * 10**9, 1_010 * 10**9
    m.record("a.txt.json", e)
    assert m.known_sha256("a.txt.json", 10, 1_000 * 10**9) == "s1"
    assert m.known_sha256("a.txt.json", 11, 1_000 * 10**9) is None  # size changed
    assert m.known_sha256("a.txt.json", 10, 1_001 * 10**9) is None  # time changed
    e.hashed_ns = 1_001 * 10**9  # hashed within the racy window of its change: hash again
    assert m.known_sha256("a.txt.json", 10, 1_000 * 10**9) is None
