"""Other word-processor files (.doc, .odt, .rtf, Word-HTML .doc) -> Document, via LibreOffice.

LibreOffice converts the file to .docx in a private temporary folder and :func:`load_docx` reads
the result, so every Word-like format shares one reader. Each conversion uses its own LibreOffice
profile, so parallel runs do not collide on the user profile lock. Files that already are OOXML
zips (.docm, .dotx, or a .docx under another name) are read directly, without LibreOffice.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from tthc_extract.errors import ExtractError, MissingToolError
from tthc_extract.limits import check_part
from tthc_extract.loaders.docx import is_encrypted_ole, load_docx
from tthc_extract.model.document import Document

SOFFICE_ENV = "TTHC_SOFFICE"  # overrides the LibreOffice binary (name on PATH or a path)
TIMEOUT_ENV = "TTHC_SOFFICE_TIMEOUT"  # seconds one conversion may take
DEFAULT_TIMEOUT = 180.0
INSTALL_HINT = "LibreOffice (soffice) is not installed; install it with: apt-get install -y libreoffice-writer-nogui"
# Writer's own export filter: naming it also converts HTML saved as .doc (opened by Writer/Web,
# which has no plain "docx" export).
_DOCX_FILTER = "docx:MS Word 2007 XML"


def find_soffice() -> str | None:
    """Return the path of the LibreOffice binary ($TTHC_SOFFICE, else soffice/libreoffice on PATH)."""
    wanted = os.environ.get(SOFFICE_ENV)
    for name in [wanted] if wanted else ["soffice", "libreoffice"]:
        found = shutil.which(name)
        if found:
            return found
    return None


def _timeout() -> float:
    """Return the conversion timeout in seconds ($TTHC_SOFFICE_TIMEOUT or the default)."""
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in its own process group; on timeout kill that group and re-raise."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL, start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert_to_docx(path: Path, out_dir: Path, soffice: str | None = None) -> Path:
    """Given a word-processor file, convert it with LibreOffice into ``out_dir`` and return the .docx.

    Raises MissingToolError when LibreOffice is absent and ExtractError when conversion fails.
    """
    binary = soffice or find_soffice()
    if binary is None:
        raise MissingToolError(str(path), INSTALL_HINT)
    src = out_dir / ("input" + (path.suffix.lower() or ".doc"))
    shutil.copyfile(path, src)  # a plain ASCII name: no quoting or encoding surprises
    profile = (out_dir / "profile").as_uri()
    cmd = [binary, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
           f"-env:UserInstallation={profile}", "--convert-to", _DOCX_FILTER,
           "--outdir", str(out_dir / "out"), str(src)]
    try:
        proc = _run(cmd, _timeout())
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(str(path), f"LibreOffice conversion timed out after {exc.timeout:.0f} s") from exc
    except OSError as exc:
        raise MissingToolError(str(path), f"{INSTALL_HINT} ({exc.strerror or exc})") from exc
    result = out_dir / "out" / "input.docx"
    if not result.is_file() or result.stat().st_size == 0:
        said = " ".join((proc.stderr + " " + proc.stdout).split())
        noise = "Warning: failed to launch javaldx - java may not function correctly"
        said = said.replace(noise, "").strip()
        reason = f"LibreOffice could not convert the file (exit {proc.returncode}"
        raise ExtractError(str(path), reason + (f": {said[:200]})" if said else ")"))
    return result


def load_office(path: Path) -> Document:
    """Return the Document of a .doc/.odt/.rtf (or .docm) file, converted to .docx by LibreOffice.

    The Document keeps ``source`` = the original path and has format "doc"; OOXML zips are read
    directly and keep format "docx".
    """
    path = Path(path)
    if not path.is_file():
        raise ExtractError(str(path), "file not found")
    if path.stat().st_size == 0:
        raise ExtractError(str(path), "empty file")
    if is_encrypted_ole(path):
        raise ExtractError(str(path), "the document is encrypted (password-protected); save it without a password")
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                is_ooxml = "[Content_Types].xml" in zf.namelist()
                for info in zf.infolist():  # before LibreOffice inflates them
                    check_part(path, info.filename, info.file_size)
        except (zipfile.BadZipFile, OSError):
            is_ooxml = False
        if is_ooxml:
            return load_docx(path)
    with tempfile.TemporaryDirectory(prefix="tthc-office-") as tmp:
        converted = convert_to_docx(path, Path(tmp))
        try:
            doc = load_docx(converted)
        except ExtractError as exc:
            raise ExtractError(str(path), f"after conversion by LibreOffice: {exc.reason}") from exc
    doc.source = str(path)
    doc.format = "doc"
    return doc
