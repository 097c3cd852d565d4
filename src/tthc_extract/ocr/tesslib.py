"""Tesseract in this process, through its C API (libtesseract, by ctypes): no program started per page.

Starting the ``tesseract`` program costs each call about 0.1 s of model loading, and the program
spends about 0.2 s more per page than the library on the same image (its set-up and teardown):
measured on 200-dpi table pages, 1.1-1.3 s in the library against 1.47-1.51 s for the program,
word for word the same hOCR. A page of a scan is read once in full and its lost text and doubtful
cells in a few more calls, so the program's overhead was a quarter of the OCR time.

An :class:`Engine` is one ``TessBaseAPI`` with the languages loaded, kept for the life of the
process and lent to one thread at a time (:func:`engine`); several engines run at once in
several threads, since ctypes lets go of the interpreter lock during a call. Tesseract's own
OpenMP threads are limited to one (``OMP_THREAD_LIMIT``, read by libgomp when it is loaded, so
set just for the load): pages run in parallel instead, as with the program.

The library is used only when it can be loaded with that limit in force and the ``tesseract``
setting names the default program (a user who names another program gets that program);
:func:`available` says why not otherwise, and the caller falls back to the program. It reads
the same model files as the program (its compiled-in tessdata folder, or ``TESSDATA_PREFIX``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import functools
import os
import queue
import threading
import time
from collections.abc import Iterator

import numpy as np

LIBRARY_NAMES = ("libtesseract.so.5", "libtesseract.so.4", "libtesseract.so")  # tried in this order
OMP_LIBRARY = "libgomp.so.1"  # GNU OpenMP, which Debian's libtesseract is built with
PSM_VAR = b"tessedit_pageseg_mode"
DPI_VAR = b"user_defined_dpi"  # what the program's --dpi sets
HOCR_VARS = {b"tessedit_create_hocr": b"1", b"hocr_font_info": b"0"}  # the program's "hocr" config
# Tesseract's messages ("Detected 15 diacritics", "Estimating resolution as ...") go to stderr; the
# program's stderr was captured, the library's would reach the user's terminal, so they go nowhere.
QUIET_VARS = {b"debug_file": os.devnull.encode()}

_c = ctypes.c_char_p
_p = ctypes.c_void_p


class LibraryError(RuntimeError):
    """libtesseract cannot be used here (not installed, too old, or its threads not limited)."""


def _declare(lib: ctypes.CDLL) -> None:
    """Give ctypes the C signatures of the functions used (wrong guesses would truncate pointers)."""
    sig: dict[str, tuple[list[type], type | None]] = {
        "TessBaseAPICreate": ([], _p),
        "TessBaseAPIInit4": ([_p, _c, _c, ctypes.c_int, ctypes.POINTER(_c), ctypes.c_int,
                              ctypes.POINTER(_c), ctypes.POINTER(_c), ctypes.c_size_t, ctypes.c_bool], ctypes.c_int),
        "TessBaseAPISetVariable": ([_p, _c, _c], ctypes.c_bool),
        "TessBaseAPISetImage": ([_p, _c, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int], None),
        "TessBaseAPIRecognize": ([_p, _p], ctypes.c_int),
        "TessBaseAPIGetHOCRText": ([_p, ctypes.c_int], _p),
        "TessBaseAPIClear": ([_p], None),
        "TessBaseAPIEnd": ([_p], None),
        "TessBaseAPIDelete": ([_p], None),
        "TessDeleteText": ([_p], None),
        "TessMonitorCreate": ([], _p),
        "TessMonitorDelete": ([_p], None),
        "TessMonitorSetDeadlineMSecs": ([_p, ctypes.c_int], None),
    }
    for name, (args, res) in sig.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res


def _gomp_loaded() -> bool:
    """Return whether libgomp is already in this process (then its thread limit is already fixed)."""
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as fh:
            return any("libgomp" in line for line in fh)
    except OSError:
        return False


@functools.cache
def _library() -> ctypes.CDLL:
    """Load libtesseract once, with OpenMP limited to one thread; raise LibraryError if it cannot be."""
    names = [n for n in (*LIBRARY_NAMES, ctypes.util.find_library("tesseract")) if n]
    already = _gomp_loaded()
    saved = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = "1"  # read by libgomp's constructor as the library loads
    try:
        lib = None
        for name in names:
            with contextlib.suppress(OSError):
                lib = ctypes.CDLL(name)
                break
    finally:
        if saved is None:
            os.environ.pop("OMP_THREAD_LIMIT", None)
        else:
            os.environ["OMP_THREAD_LIMIT"] = saved
    if lib is None:
        raise LibraryError("libtesseract not found (apt-get install -y libtesseract5)")
    try:
        _declare(lib)
    except AttributeError as exc:
        raise LibraryError(f"libtesseract lacks {exc.name or 'a function'} of the C API") from None
    if already or _gomp_loaded():
        try:
            limit = ctypes.CDLL(OMP_LIBRARY).omp_get_thread_limit()
        except (OSError, AttributeError):
            limit = 1
        if limit != 1:
            raise LibraryError(f"OpenMP was loaded before Tesseract with {limit} threads allowed")
    return lib


@functools.cache
def available() -> str:
    """Return why libtesseract cannot be used here ('' when it can); asked once per process, as
    :func:`_library` caches only a success and a failed load would otherwise be retried every page."""
    try:
        _library()
    except LibraryError as exc:
        return str(exc)
    return ""


class Engine:
    """One TessBaseAPI with ``languages`` loaded and the dot-product routine ``dotproduct`` ('' = its choice)."""

    def __init__(self, languages: str, dotproduct: str) -> None:
        self._lib = _library()
        self._api = self._lib.TessBaseAPICreate()
        init_vars = {b"dotproduct": dotproduct.encode()} if dotproduct else {}
        names = (_c * max(len(init_vars), 1))(*init_vars.keys())
        values = (_c * max(len(init_vars), 1))(*init_vars.values())
        rc = self._lib.TessBaseAPIInit4(self._api, None, languages.encode(), 1,  # 1 = OEM_LSTM_ONLY
                                        None, 0, names, values, len(init_vars), False)
        if rc != 0:
            self._lib.TessBaseAPIDelete(self._api)
            raise LibraryError(f"libtesseract cannot load the '{languages}' model")
        for k, v in {**QUIET_VARS, **HOCR_VARS}.items():
            self._lib.TessBaseAPISetVariable(self._api, k, v)

    def hocr(self, gray: np.ndarray, dpi: int, psm: int, timeout_s: float) -> str:
        """Return the hOCR of a grey image (uint8, 2-D) read with page-segmentation mode ``psm``,
        declaring resolution ``dpi``; raise RuntimeError when it fails or takes over ``timeout_s``."""
        lib, api = self._lib, self._api
        img = np.ascontiguousarray(gray, dtype=np.uint8)
        h, w = img.shape
        lib.TessBaseAPISetVariable(api, PSM_VAR, str(psm).encode())
        lib.TessBaseAPISetVariable(api, DPI_VAR, str(dpi).encode())
        lib.TessBaseAPISetImage(api, img.tobytes(), w, h, 1, w)  # Tesseract copies the pixels
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, max(int(timeout_s * 1000), 1))
            t0 = time.monotonic()
            if lib.TessBaseAPIRecognize(api, monitor) != 0:
                late = time.monotonic() - t0 >= timeout_s
                raise RuntimeError(f"tesseract took longer than {timeout_s:g} s" if late
                                   else "tesseract library failed to read the page")
            text = lib.TessBaseAPIGetHOCRText(api, 0)
            if not text:
                raise RuntimeError("tesseract library gave no hOCR")
            try:
                return ctypes.string_at(text).decode("utf-8", "replace")
            finally:
                lib.TessDeleteText(text)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(api)

    def close(self) -> None:
        """Free the engine (its models stay cached for the other engines)."""
        if self._api:
            self._lib.TessBaseAPIEnd(self._api)
            self._lib.TessBaseAPIDelete(self._api)
            self._api = None


_idle: dict[tuple[str, str], queue.SimpleQueue[Engine]] = {}
_all: list[Engine] = []
_lock = threading.Lock()


@contextlib.contextmanager
def engine(languages: str, dotproduct: str) -> Iterator[Engine]:
    """Lend an engine for ``languages`` and ``dotproduct`` to the calling thread (made on first need,
    kept for the next call: loading the model is what the program paid for each page)."""
    key = (languages, dotproduct)
    with _lock:
        idle = _idle.setdefault(key, queue.SimpleQueue())
    try:
        eng = idle.get_nowait()
    except queue.Empty:
        eng = Engine(languages, dotproduct)
        with _lock:
            _all.append(eng)
    try:
        yield eng
    finally:
        idle.put(eng)


@atexit.register
def _close_all() -> None:
    """Free every engine before the library's own teardown (which warns of models still held)."""
    with _lock:
        for eng in _all:
            eng.close()
        _all.clear()
        _idle.clear()
