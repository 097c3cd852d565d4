"""Other word-processor files (.doc, .odt, .rtf, Word-HTML .doc) -> Document, via LibreOffice.

LibreOffice converts the file to .docx in a private temporary folder and :func:`load_docx` reads
the result, so every Word-like format shares one reader. Each conversion uses its own LibreOffice
profile, so parallel runs do not collide on the user profile lock, and runs offline with macros off
(:mod:`tthc_extract.loaders.office_sandbox`). Files that already are OOXML
zips (.docm, .dotx, or a .docx under another name) are read directly, without LibreOffice.

LibreOffice opens a file it recognises in no format (random bytes, a damaged .doc whose Word
structure is unreadable) with its plain-text import, and "converts" it: the result holds the bytes
read as UTF-16 or Latin-1 characters. Such a conversion, or one that holds no text at all, is
reported as unreadable instead of read as a plan with no rows (:func:`check_converted`).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

from tthc_extract import children
from tthc_extract.errors import ExtractError, MissingToolError
from tthc_extract.limits import check_part
from tthc_extract.loaders.docx import is_encrypted_ole, load_docx
from tthc_extract.loaders.office_sandbox import network_jail, offline_env, write_profile
from tthc_extract.model.document import Document
from tthc_extract.settings import current

INSTALL_HINT = "LibreOffice (soffice) is not installed; install it with: apt-get install -y libreoffice-writer-nogui"
# Writer's own export filter: naming it also converts HTML saved as .doc (opened by Writer/Web,
# which has no plain "docx" export).
_DOCX_FILTER = "docx:MS Word 2007 XML"
# Share of a converted document's visible characters that must be ASCII, Vietnamese letters or
# punctuation: a Vietnamese plan is nearly all of them (~1.0); bytes read as UTF-16 give CJK and
# private-use characters (~0.0), bytes read as Latin-1 about 0.5.
MIN_READABLE_SHARE = 0.9
# The combining marks of Vietnamese letters: grave, acute, tilde, hook, dot below; circumflex, breve, horn.
_VIETNAMESE_MARKS = set("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
NOT_A_DOCUMENT = ("not a readable word-processor document: LibreOffice could only import it as plain text "
                  "of unreadable characters (damaged or not a .doc/.odt/.rtf)")


def find_soffice() -> str | None:
    """Return the path of the LibreOffice binary (the ``soffice`` setting, else soffice/libreoffice on PATH)."""
    wanted = current().soffice
    for name in [wanted] if wanted else ["soffice", "libreoffice"]:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(cmd: list[str], timeout: float, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` offline, in a session and process group of its own, killed as a whole on time-out or stop.

    Its temporary files go to ``tmp`` (TMPDIR), inside the conversion's private folder: a
    LibreOffice that is killed cannot remove its own (``lu*.tmp``), the caller removes the folder.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    env = offline_env()
    env["TMPDIR"] = str(tmp)
    return children.run(cmd, env=env, timeout=timeout, new_session=True)


def convert_to_docx(path: Path, out_dir: Path, soffice: str | None = None) -> Path:
    """Given a word-processor file, convert it with LibreOffice into ``out_dir`` and return the .docx.

    Raises MissingToolError when LibreOffice is absent and ExtractError when conversion fails.
    """
    binary = soffice or find_soffice()
    if binary is None:
        raise MissingToolError(str(path), INSTALL_HINT)
    src = out_dir / ("input" + (path.suffix.lower() or ".doc"))
    shutil.copyfile(path, src)  # a plain ASCII name: no quoting or encoding surprises
    profile = write_profile(out_dir / "profile")
    cmd = [*network_jail(), binary, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
           f"-env:UserInstallation={profile}", "--convert-to", _DOCX_FILTER,
           "--outdir", str(out_dir / "out"), str(src)]
    try:
        proc = _run(cmd, current().soffice_timeout, out_dir / "tmp")
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(str(path), f"LibreOffice conversion timed out after {exc.timeout:.0f} s") from exc
    except OSError as exc:
        raise MissingToolError(str(path), f"{INSTALL_HINT} ({exc.strerror or exc})") from exc
    result = out_dir / "out" / "input.docx"
    if not result.is_file() or result.stat().st_size == 0:
        said = " ".join((proc.stderr + b" " + proc.stdout).decode("utf-8", "replace").split())
        noise = "Warning: failed to launch javaldx - java may not function correctly"
        said = said.replace(noise, "").strip()
        reason = f"LibreOffice could not convert the file (exit {proc.returncode}"
        raise ExtractError(str(path), reason + (f": {said[:200]})" if said else ")"))
    return result


def _readable(ch: str) -> bool:
    """Return whether ``ch`` is what a plan's text is made of: ASCII, the Vietnamese alphabet, punctuation."""
    if ch.isascii():
        return ch.isprintable()
    nfd = unicodedata.normalize("NFD", ch)
    base, marks = nfd[0], nfd[1:]
    if base in "đĐ" or (base.isascii() and base.isalpha() and marks):
        return all(m in _VIETNAMESE_MARKS for m in marks)
    return unicodedata.category(ch)[0] in "PZ" or unicodedata.category(ch) == "Nd"


def readable_share(text: str) -> float:
    """Return the share of the visible characters of ``text`` that are :func:`_readable` (1.0 when none)."""
    chars = [c for c in text if not c.isspace()]
    return sum(1 for c in chars if _readable(c)) / len(chars) if chars else 1.0


def check_converted(doc: Document, path: Path) -> None:
    """Raise ExtractError when LibreOffice's conversion holds no text, or only unreadable characters."""
    texts = [p.text for p in doc.paragraphs()]
    texts += [c.text for t in doc.tables() for r in t.rows for c in r.cells]
    text = "".join(texts)
    if not text.strip():
        raise ExtractError(str(path), "no text found after conversion by LibreOffice (empty or damaged document)")
    if readable_share(text) < MIN_READABLE_SHARE:
        raise ExtractError(str(path), NOT_A_DOCUMENT)


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
    with children.scratch("tthc-office-") as tmp:  # removed even when the batch stops meanwhile
        converted = convert_to_docx(path, tmp)
        try:
            doc = load_docx(converted)
        except ExtractError as exc:
            raise ExtractError(str(path), f"after conversion by LibreOffice: {exc.reason}") from exc
    check_converted(doc, path)
    doc.source = str(path)
    doc.format = "doc"
    return doc
