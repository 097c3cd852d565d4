"""Tests for the LibreOffice-based loader of .doc/.odt/.rtf files."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from tests.errors import assert_one_line_error
from tthc_extract.errors import ExtractError, MissingToolError
from tthc_extract.loaders import load
from tthc_extract.loaders.docx import load_docx
from tthc_extract.loaders.office import (
    MIN_READABLE_SHARE,
    find_soffice,
    load_office,
    readable_share,
)
from tthc_extract.settings import SOFFICE_ENV
from tthc_extract.settings import SOFFICE_TIMEOUT_ENV as TIMEOUT_ENV
from tthc_extract.text.normalize import clean_text, one_line

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docx"
PLAN = "002_c4b107cd9cf43351.std"
# In CI the set-up installs LibreOffice, so these tests must run there (never skipped).
needs_soffice = pytest.mark.skipif(
    find_soffice() is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)


def _convert(src: Path, fmt: str, out_dir: Path) -> Path:
    """Convert ``src`` to ``fmt`` with LibreOffice (private profile) and return the new file."""
    binary = find_soffice()
    assert binary is not None
    subprocess.run(
        [binary, "--headless", "--norestore", f"-env:UserInstallation={(out_dir / 'profile').as_uri()}",
         "--convert-to", fmt, "--outdir", str(out_dir), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    out = out_dir / f"{src.stem}.{fmt}"
    assert out.is_file()
    return out


@pytest.fixture(scope="module")
def plan_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a binary .doc made from a corpus plan."""
    out = tmp_path_factory.mktemp("doc")
    src = out / "plan.docx"
    shutil.copyfile(FIXTURES / f"{PLAN}.docx", src)
    return _convert(src, "doc", out)


@needs_soffice
def test_doc_gives_back_the_task_table(plan_doc: Path) -> None:
    doc = load_office(plan_doc)
    assert doc.format == "doc"
    assert doc.source == str(plan_doc)
    exp = json.loads((FIXTURES / f"{PLAN}.expected.json").read_text(encoding="utf-8"))
    headers = [c["header"] for c in exp["_render"]["task_table_columns"]]
    original = [t for t in load_docx(FIXTURES / f"{PLAN}.docx").tables() if t.rows[0].texts(t.n_cols) == headers]
    tables = [t for t in doc.tables() if [one_line(x) for x in t.rows[0].texts(t.n_cols)] == headers]
    assert len(tables) == 1 and len(original) == 1
    table = tables[0]
    assert table.n_cols == len(headers)
    assert len(table.rows) == len(original[0].rows)
    assert [r.texts(table.n_cols) for r in table.rows] == [r.texts(table.n_cols) for r in original[0].rows]
    cells = {one_line(c.text) for r in table.rows for c in r.cells}
    for row in exp["rows"]:
        assert one_line(clean_text(row["task"])) in cells


@needs_soffice
def test_doc_under_docx_name_is_converted(plan_doc: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "plan.docx"
    shutil.copyfile(plan_doc, disguised)
    doc = load(disguised)  # the registry routes a binary .doc by its first bytes, whatever its name
    assert doc.format == "doc" and doc.source == str(disguised)
    assert any(t.n_cols == 6 for t in doc.tables())


@needs_soffice
@pytest.mark.parametrize("fmt", ["odt", "rtf"])
def test_odt_and_rtf(fmt: str, tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH kiểm soát thủ tục hành chính")
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "STT", "Nhiệm vụ"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "1"
    t.cell(1, 1).text, t.cell(2, 1).text = "Rà soát TTHC", "Công bố TTHC"
    src = tmp_path / "small.docx"
    d.save(str(src))
    doc = load_office(_convert(src, fmt, tmp_path))
    assert doc.format == "doc"
    assert doc.paragraphs()[0].text == "KẾ HOẠCH kiểm soát thủ tục hành chính"
    rows = doc.tables()[0].rows
    assert [r.texts(2) for r in rows] == [["STT", "Nhiệm vụ"], ["1", "Rà soát TTHC"], ["1", "Công bố TTHC"]]
    assert rows[2].cells[0].merged_from_above


@needs_soffice
def test_word_html_saved_as_doc(tmp_path: Path) -> None:
    path = tmp_path / "web.doc"
    path.write_text(
        "<html><body><p>Kế hoạch</p><table border=1><tr><td>STT</td><td>Nhiệm vụ</td></tr>"
        "<tr><td>1</td><td>Rà soát</td></tr></table></body></html>", encoding="utf-8",
    )
    doc = load_office(path)
    assert [r.texts(2) for r in doc.tables()[0].rows] == [["STT", "Nhiệm vụ"], ["1", "Rà soát"]]


def test_docm_is_read_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, str(tmp_path / "no-soffice"))
    path = tmp_path / "plan.docm"
    shutil.copyfile(FIXTURES / f"{PLAN}.docx", path)
    doc = load_office(path)
    assert doc.format == "docx" and doc.source == str(path)
    assert len(doc.tables()) == 3


def test_missing_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, str(tmp_path / "bin" / "soffice"))
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(MissingToolError) as info:
        load_office(path)
    assert str(info.value).startswith(str(path))
    assert "libreoffice-writer-nogui" in info.value.reason and "\n" not in str(info.value)


def _fake_soffice(tmp_path: Path, script: str) -> Path:
    """Return an executable shell script standing in for soffice."""
    fake = tmp_path / "fake-soffice"
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(0o755)
    return fake


def test_failed_conversion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, str(_fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")))
    path = tmp_path / "bad.doc"
    path.write_bytes(b"not really a document")
    assert_one_line_error(load_office, path, "could not convert", "source file could not be loaded")


def test_conversion_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, str(_fake_soffice(tmp_path, "sleep 30")))
    monkeypatch.setenv(TIMEOUT_ENV, "0.5")
    path = tmp_path / "slow.rtf"
    path.write_text("{\\rtf1 chậm}")
    with pytest.raises(ExtractError) as info:
        load_office(path)
    assert "timed out" in info.value.reason


@pytest.mark.parametrize("content,fragment", [
    (b"", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
])
def test_unreadable_inputs(content: bytes, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "x.doc"
    path.write_bytes(content)
    with pytest.raises(ExtractError) as info:
        load_office(path)
    assert str(info.value).startswith(str(path)) and fragment in info.value.reason


def test_text_import_of_random_bytes_is_told_from_a_plan() -> None:
    plan = "Kế hoạch kiểm soát thủ tục hành chính năm 2024 — Sở Tư pháp chủ trì; hoàn thành trước 30/6."
    noise = random.Random(3).randbytes(4000)
    assert readable_share(plan) == 1.0
    assert readable_share(noise.decode("utf-16-le", "replace")) < MIN_READABLE_SHARE  # CJK, private use
    assert readable_share(noise.decode("latin-1")) < MIN_READABLE_SHARE
