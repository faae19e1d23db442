"""Run one function over a few items in forked worker processes: one job of the workflow does
several independent pieces (the ten models of the ladder, the five classical methods), one
interpreter start-up and one read of the data for all of them, and still uses the job's
threads."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator

# The function the workers run. Set before the pool forks, so each worker inherits it, and with
# it the data it closes over: only the items and the results cross between processes.
_TASK: Callable | None = None


def _run(item):
    return _TASK(item)


def map_forked(func: Callable, items: Iterable, workers: int) -> Iterator:
    """``func(item)`` for each item, in order. With ``workers`` > 1 the calls run in that many
    forked processes (at most one per item); otherwise in this process. An exception in a call
    is raised here."""
    global _TASK
    items = list(items)
    workers = min(workers, len(items))
    if workers <= 1:
        yield from map(func, items)
        return
    _TASK = func
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_run, items)
    finally:
        _TASK = None
