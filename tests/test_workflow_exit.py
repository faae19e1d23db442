"""The workflow's end-of-run handler cancels Snakemake's pending rescheduling timers, so the
process exits at once instead of waiting for them (multilevel/workflow_exit.py)."""

import threading

from multilevel.workflow_exit import cancel_pending_timers


def test_pending_timers_are_cancelled_and_fired_ones_left_alone():
    fired = threading.Event()
    done = threading.Timer(0, fired.set)
    done.start()
    done.join(5)
    calls = []
    pending = [threading.Timer(60, calls.append, args=(i,)) for i in range(3)]
    for timer in pending:
        timer.start()
    other = threading.Event()
    worker = threading.Thread(target=other.wait, args=(60,))
    worker.start()
    try:
        assert cancel_pending_timers() == 3
        for timer in pending:
            timer.join(5)
            assert not timer.is_alive()
        assert calls == []
        assert fired.is_set()
        assert worker.is_alive()  # other threads are not touched
    finally:
        other.set()
        worker.join(5)


def test_the_snakefile_cancels_them_when_the_run_ends():
    from pathlib import Path

    snakefile = (Path(__file__).parent.parent / "Snakefile").read_text()
    for handler in ("onsuccess:", "onerror:"):
        body = snakefile.split(handler, 1)[1].split("\n\n", 1)[0]
        assert "cancel_pending_timers()" in body
