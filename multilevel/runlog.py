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
    """Log a user-caused error as one clear line before the step fails."""
    from multilevel.errors import DataError

    try:
        yield
    except DataError as exc:
        logger.error("%s", exc)
        raise
