"""Logging for pipeline steps: to the rule's log file and to the terminal."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path


def step_logger(name: str, log_path: str | Path | None) -> logging.Logger:
    logger = logging.getLogger(f"multilevel.{name}")
    logger.handlers.clear()
    logger.setLevel(logging.INFO)
    logger.propagate = False
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s", "%H:%M:%S")
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_path, mode="w")
        handler.setFormatter(fmt)
        logger.addHandler(handler)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setFormatter(fmt)
    logger.addHandler(terminal)
    return logger


@contextmanager
def logged_step(logger: logging.Logger):
    """End the step on a user-caused error with one line on the terminal and a non-zero exit
    (Snakemake then reports the failed job without a Python traceback); the traceback goes to
    the rule's log only."""
    from multilevel.errors import DataError

    try:
        yield
    except DataError as exc:
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler):
                handler.handle(
                    logger.makeRecord(
                        logger.name, logging.ERROR, "", 0, "%s", (exc,), sys.exc_info()
                    )
                )
        print(f"Error: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
