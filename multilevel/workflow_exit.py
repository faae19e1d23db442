"""What the workflow does when Snakemake has finished its jobs (the Snakefile's ``onsuccess``
and ``onerror`` handlers).

Snakemake's scheduler rate-limits job submission (``--max-jobs-per-timespan``, by default
100 per second): after every scheduling pass it starts a ``threading.Timer`` that wakes the
scheduler again one timespan later. The timers are not daemon threads, so after the last job
the interpreter waits for the last of them before it exits: up to a second of a build's wall
time spent doing nothing (about 1 s of the 19 s cold hs draft). Once the jobs are done nothing
is left to schedule, so the pending timers are cancelled.
"""

from __future__ import annotations

import threading


def cancel_pending_timers() -> int:
    """Cancel every ``threading.Timer`` of this process that has not fired yet; return how many
    were pending. Only for the end of a run: a timer cancelled earlier would not fire."""
    pending = [
        thread
        for thread in threading.enumerate()
        if isinstance(thread, threading.Timer) and not thread.finished.is_set()
    ]
    for timer in pending:
        timer.cancel()
    return len(pending)
