"""Make the hostile conditions of these tests at test time: read-only folders, odd file names, CLI runs.

Nothing here is committed as a file: every case is built in the test's temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
# Two good plans every batch of these tests holds: their outputs must not change because of the rest.
GOOD = {"a.txt": "002_c4b107cd9cf43351.txt", "b.txt": "000_ddb247df984a7d22.txt"}


def good_plans(folder: Path) -> Path:
    """Copy the two good plans into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, sample in GOOD.items():
        shutil.copy(SAMPLES / sample, folder / name)
    return folder


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` refuse writes while inside: ``chattr +i`` as root (who ignores modes), else mode 555.

    Skips the test where neither works (root on a file system without the immutable flag).
    """
    folder.mkdir(parents=True, exist_ok=True)
    root = os.geteuid() == 0
    if root:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)],
                                                            capture_output=True).returncode:
            pytest.skip("running as root on a file system without chattr +i: no folder refuses writes")
    else:
        folder.chmod(0o555)
    try:
        yield
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


@dataclass
class CliRun:
    """What one run of the command printed and returned."""

    code: int
    stdout: str
    stderr: str

    def lines(self) -> list[str]:
        """Return the lines printed on stderr."""
        return self.stderr.splitlines()


def cli(*args: str | bytes, cwd: Path | None = None) -> CliRun:
    """Run ``tthc-extract ARGS`` in a new process (a real UTF-8 stderr, real exit status, no test harness).

    Arguments may be bytes (a file name that is not UTF-8). Output is decoded strictly, so a line
    that is not valid UTF-8 fails the test.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONIOENCODING": "utf-8", "COLUMNS": "300"}
    code = "from tthc_extract.cli import app; app()"
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, env=env, cwd=cwd, timeout=600)
    return CliRun(res.returncode, res.stdout.decode("utf-8"), res.stderr.decode("utf-8"))
