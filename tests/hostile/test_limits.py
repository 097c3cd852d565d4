"""Hostile inputs in a batch beside two good plans: each ends within its limit with one error line
naming it, the good plans' outputs are byte-identical to a clean run, and no worker's peak
memory (its own rusage) passes the memory limit."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tthc_extract.batch import BatchOptions, run_batch
from tthc_extract.batch.work import FAULTS_ENV

from ..batch.corpus import QB, QN, copy_sample
from .cases import CASES, TEST_LIMITS

GOOD = ("good_a.txt", "good_b.docx")
TIMEOUT = 60.0
OPTS = dict(jobs=2, timeout=TIMEOUT, parquet=False, settings={"limits": TEST_LIMITS})


def _good(folder: Path) -> list[Path]:
    return [copy_sample(folder / GOOD[0], f"{QB}.txt"), copy_sample(folder / GOOD[1], f"{QN}.std.docx")]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The good plans' JSON of a batch holding only them."""
    root = tmp_path_factory.mktemp("clean")
    s = run_batch(_good(root / "in"), root / "out", BatchOptions(**OPTS))  # type: ignore[arg-type]
    assert s.extracted == 2
    return {name: _anonymous(root / "out" / f"{name}.json", root / "in") for name in GOOD}


def _anonymous(json_file: Path, folder: Path) -> bytes:
    """Return a JSON output with its input folder (a temporary path) replaced by a fixed name."""
    return json_file.read_bytes().replace(str(folder).encode(), b"IN")


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_case_fails_alone_within_its_limit(case: str, tmp_path: Path, clean: dict[str, bytes],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    name, make = CASES[case]
    src, out = tmp_path / "in", tmp_path / "out"
    good = _good(src)
    expected = make(src / name)
    monkeypatch.setenv(FAULTS_ENV, "alloc=memhog")
    errors: dict[str, str | None] = {}
    t0 = time.monotonic()
    s = run_batch([src / name, *good], out, BatchOptions(**OPTS),  # type: ignore[arg-type]
                  on_done=lambda p, _st, e: errors.__setitem__(Path(p).name, e))
    took = time.monotonic() - t0
    assert took < TIMEOUT, f"{case} took {took:.0f}s"
    assert s.extracted + s.failed == 3 and s.extracted >= 2, errors
    for g in GOOD:
        assert errors[g] is None
        assert _anonymous(out / f"{g}.json", src) == clean[g], f"{g} differs from a clean run beside {case}"
    err = errors[name]
    if expected:
        assert err is not None and expected in err, err
        assert err.startswith(str(src / name)) and "\n" not in err
        assert "Traceback" not in err and "internal error" not in err
    else:
        assert err is None  # read, with its spans clamped to the table
    assert 0 < s.peak_rss < (TEST_LIMITS.memory_bytes or 0), f"peak {s.peak_rss / 2**20:.0f} MB"


def test_fifo_among_inputs_is_refused_before_hashing(tmp_path: Path) -> None:
    """A FIFO named as input is neither hashed nor opened by the driver (both would block)."""
    os.mkfifo(tmp_path / "plan.pdf")
    t0 = time.monotonic()
    s = run_batch([tmp_path / "plan.pdf"], tmp_path / "out", BatchOptions(jobs=1, timeout=20, parquet=False))
    assert s.failed == 1 and time.monotonic() - t0 < 15
