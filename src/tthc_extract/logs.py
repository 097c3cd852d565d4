"""Logging set-up of the command line: ``-v/--verbose`` and ``--log-file`` through stdlib logging.

The package logs under the ``tthc_extract`` logger (which table was found, why a piece was not a
task table, how many rows a document gave) and configures nothing itself, as a library should.
The CLI calls :func:`configure`; it also puts the settings in the environment so that worker
processes (started by spawn or forkserver, which do not inherit handlers) configure themselves
the same way through :func:`configure_from_env`.
"""

from __future__ import annotations

import logging
import os

LEVEL_ENV = "TTHC_LOG_LEVEL"
FILE_ENV = "TTHC_LOG_FILE"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"
_configured: tuple[str, str] | None = None


def level_for(verbose: int) -> int:
    """Return the level of ``-v`` counted ``verbose`` times: warnings, then info (-v), then debug (-vv)."""
    return logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG


def configure(level: int, log_file: str | None = None) -> None:
    """Send the package's log records of ``level`` and above to stderr (or to ``log_file``, appended)."""
    global _configured
    key = (logging.getLevelName(level), log_file or "")
    if _configured == key:
        return
    logger = logging.getLogger("tthc_extract")
    for h in list(logger.handlers):
        logger.removeHandler(h)
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    os.environ[LEVEL_ENV], os.environ[FILE_ENV] = key
    _configured = key


def configure_from_env() -> None:
    """In a worker process: configure as the CLI that started it did (nothing when it did not)."""
    level = os.environ.get(LEVEL_ENV)
    if level:
        configure(logging.getLevelName(level), os.environ.get(FILE_ENV) or None)
