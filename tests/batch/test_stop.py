"""Stopping `tthc-extract extract` while Tesseract or LibreOffice runs ends every process it started.

A real batch is started on slow inputs (scans, a large Word-HTML .doc) after fast ones; once the
slow ones are being read (a tesseract or soffice.bin process under the batch, or a worker that has
loaded libtesseract), it gets Ctrl-C
(SIGINT to the process group, as a terminal sends it), SIGTERM (to the driver only, as a job
scheduler sends it) or SIGKILL. Every process found under the batch just before must be gone
within STOP_SECONDS of the signal, measured from it; the waits before the signal are generous,
for a loaded machine. The documents that finished stay extracted, with valid outputs.

Not counted in the bound: multiprocessing's fork server and resource tracker, idle processes of
the driver that leave when it exits (it may first take longer than that to rebuild a large
dataset); they are checked to be gone once it has.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tthc_extract.batch import read_table
from tthc_extract.batch.manifest import Manifest
from tthc_extract.loaders.office import find_soffice

from .. import procs
from ..procs import Proc, needs_proc
from .corpus import QB, QN, TG, copy_sample, temporaries

STOP_SECONDS = 2.0  # the requirement: nothing the batch started runs this long after the signal
STARTUP_SECONDS = 240.0  # the batch may take this long to reach the state a test stops it in
FAST = 2  # plain-text plans read before the slow inputs
LIBRARY = "libtesseract"  # Tesseract run in the workers themselves (ocr_engine: library), not as a program
needs_soffice = pytest.mark.skipif(
    find_soffice() is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)


def _start(src: Path, out: Path, tmp: Path, *options: str) -> subprocess.Popen[str]:
    """Start `tthc-extract extract SRC -o OUT` with two workers and TMPDIR=TMP, in a session of its own."""
    tmp.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "tthc_extract.cli", "extract", str(src), "-o", str(out), "-q", "-j", "2", *options]
    return subprocess.Popen(cmd, env={**os.environ, "TMPDIR": str(tmp)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _fast_inputs(src: Path) -> None:
    """Put FAST plain-text plans in ``src``, named to be read first (inputs are read in name order)."""
    for i in range(FAST):
        copy_sample(src / f"a{i}.txt", f"{(QB, QN)[i]}.txt")


def _wait_for(proc: subprocess.Popen[str], ready: Callable[[], bool], what: str) -> None:
    """Wait until ``ready()``; fail if the batch ends first or STARTUP_SECONDS pass."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready():
        assert proc.poll() is None, f"the batch ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"no {what} after {STARTUP_SECONDS:g} s"
        time.sleep(0.05)


def _runs(p: Proc, program: str) -> bool:
    """Return whether process ``p`` is ``program``, or for LIBRARY, has loaded libtesseract (OCR in a worker)."""
    if program != LIBRARY:
        return p.comm == program
    try:
        return "libtesseract" in Path(f"/proc/{p.pid}/maps").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False


def _reading(proc: subprocess.Popen[str], out: Path, program: str) -> None:
    """Wait until the fast inputs are extracted and ``program`` runs under the batch."""
    _wait_for(proc, lambda: len(list(out.glob("a*.txt.json"))) == FAST
              and any(_runs(p, program) for p in procs.descendants(proc.pid)),
              f"{FAST} outputs and a running {program}")


def _is_driver_helper(p: Proc, driver: int) -> bool:
    """Return whether ``p`` is multiprocessing's fork server or resource tracker (see the module's
    docstring): a child of the driver with their command line (the workers, forked by the fork
    server, have its command line too, but are not the driver's children)."""
    line = procs.cmdline(p.pid)
    return p.ppid == driver and ("multiprocessing.forkserver" in line or "multiprocessing.resource_tracker" in line)


def _stop(proc: subprocess.Popen[str], how: str, program: str) -> tuple[str, str]:
    """Stop the batch ``how``; check that all it started is gone in time; return its stdout and stderr."""
    before = procs.descendants(proc.pid)
    helpers = [p for p in before if _is_driver_helper(p, proc.pid)]
    started = [p for p in before if p not in helpers]
    assert any(_runs(p, program) for p in procs.running(started)), before
    try:
        if how.startswith("ctrl-c"):
            os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole foreground group
            if how == "ctrl-c twice":  # while the batch is ending its workers
                time.sleep(0.05)
                os.killpg(proc.pid, signal.SIGINT)
        elif how == "sigterm":
            os.kill(proc.pid, signal.SIGTERM)  # a job scheduler: the driver only
        else:
            os.kill(proc.pid, signal.SIGKILL)
        t0 = time.monotonic()
        left = procs.wait_gone(started, STOP_SECONDS)
        elapsed = time.monotonic() - t0
        assert not left, f"{elapsed:.2f} s after {how}, still running: {[(p.pid, p.comm) for p in left]}"
        stdout, stderr = proc.communicate(timeout=10 if how == "ctrl-c twice" else 120)
        assert not procs.wait_gone(helpers, 10), "the driver's helpers outlived it"
    finally:
        procs.kill_all(before)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return stdout, stderr


def _check_kept(out: Path, tmp: Path) -> None:
    """Check that the fast documents, and only they, are extracted, with valid outputs."""
    m = Manifest.load(out)
    assert sorted(m.entries) == [f"a{i}.txt.json" for i in range(FAST)] and not m.dirty
    assert all(e.status == "ok" for e in m.entries.values())
    for key in m.entries:
        doc = json.loads((out / key).read_text(encoding="utf-8"))
        assert doc["rows"], key
    assert sorted(p.name for p in out.glob("*.json") if p.name != "manifest.json") == sorted(m.entries)
    assert read_table(out, "documents").num_rows == FAST
    assert pq.read_table(out / "rows.parquet").num_rows == sum(e.n_rows for e in m.entries.values()) > 0
    assert (out / "errors.jsonl").read_text(encoding="utf-8") == ""  # nothing failed: it was stopped
    assert not temporaries(out) and not (out / ".tthc" / "running").exists()
    assert not list(tmp.iterdir())  # the workers' temporary folders (LibreOffice's profile) removed


@needs_proc
@pytest.mark.parametrize(("how", "engine"), [("ctrl-c", "program"), ("sigterm", "program"),
                                             ("ctrl-c", "library"), ("sigterm", "library")])
def test_stop_during_ocr_ends_workers_and_tesseract(tmp_path: Path, how: str, engine: str) -> None:
    src, out, tmp = tmp_path / "in", tmp_path / "out", tmp_path / "tmp"
    _fast_inputs(src)
    for i, plan in enumerate((QB, QN, TG)):  # 11 to 16 scanned pages each: minutes of OCR
        copy_sample(src / f"s{i}.scan.pdf", f"{plan}.scan.pdf")
    proc = _start(src, out, tmp, "--set", f"ocr_engine={engine}")
    program = "tesseract" if engine == "program" else LIBRARY
    _reading(proc, out, program)
    stdout, stderr = _stop(proc, how, program)
    assert proc.returncode == 130, stderr
    assert "interrupted: 3 document(s) not done" in stderr
    assert stdout.startswith(f"{FAST + 3} file(s): {FAST} extracted, 0 failed;")
    _check_kept(out, tmp)


@needs_proc
def test_second_ctrl_c_interrupts_at_once(tmp_path: Path) -> None:
    src, out, tmp = tmp_path / "in", tmp_path / "out", tmp_path / "tmp"
    _fast_inputs(src)
    copy_sample(src / "s0.scan.pdf", f"{TG}.scan.pdf")
    proc = _start(src, out, tmp)
    _reading(proc, out, LIBRARY)
    _, stderr = _stop(proc, "ctrl-c twice", LIBRARY)
    assert proc.returncode in (130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr
    m = Manifest.load(out)  # what finished is recorded, whatever the second Ctrl-C cut short
    assert sorted(m.entries) == [f"a{i}.txt.json" for i in range(FAST)]
    for key in m.entries:
        assert json.loads((out / key).read_text(encoding="utf-8"))["rows"], key
    (src / "s0.scan.pdf").unlink()
    res = subprocess.run([sys.executable, "-m", "tthc_extract.cli", "extract", str(src), "-o", str(out), "-q"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"{FAST} file(s): 0 extracted, 0 failed, {FAST} unchanged;")
    assert read_table(out, "documents").num_rows == FAST and not temporaries(out)


def _slow_doc(path: Path, rows: int = 5000) -> None:
    """Write a Word-HTML .doc of one large table: LibreOffice takes minutes to convert it."""
    body = "".join(f"<tr><td>{i}</td><td>Sở Tư pháp chủ trì thực hiện nhiệm vụ số {i}</td><td>Quý {i % 4 + 1}/2023</td>"
                   "</tr>\n" for i in range(1, rows + 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<html><head><meta charset="utf-8"></head><body><table>{body}</table></body></html>',
                    encoding="utf-8")


@needs_proc
@needs_soffice
@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_stop_during_libreoffice_conversion_ends_soffice(tmp_path: Path, how: str) -> None:
    src, out, tmp = tmp_path / "in", tmp_path / "out", tmp_path / "tmp"
    _fast_inputs(src)
    _slow_doc(src / "b.doc")
    proc = _start(src, out, tmp)
    _reading(proc, out, "soffice.bin")  # in a session of its own: no signal of the batch's group reaches it
    stdout, stderr = _stop(proc, how, "soffice.bin")
    if how == "sigkill":  # nothing is finalised: the next run does that
        assert proc.returncode == -signal.SIGKILL
        assert sorted(p.name for p in out.glob("a*.txt.json")) == [f"a{i}.txt.json" for i in range(FAST)]
        assert not (out / "b.doc.json").exists()
        return
    assert proc.returncode == 130, stderr
    assert "interrupted: 1 document(s) not done" in stderr
    assert stdout.startswith(f"{FAST + 1} file(s): {FAST} extracted, 0 failed;")
    _check_kept(out, tmp)
