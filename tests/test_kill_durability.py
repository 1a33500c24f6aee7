"""A quiz process killed with SIGKILL loses no rating whose record_review had returned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui import store

REPO = Path(__file__).resolve().parents[1]

# Rates ten cards round and round, printing each review id only after record_review has returned.
RATER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from tui import store
    from tui.scheduling import StudyOptions, make_scheduler, rate

    conn = store.open_store(Path(sys.argv[1]))
    scheduler = make_scheduler(StudyOptions())
    start = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    states = {}
    for step in range(100_000):
        key = ("pytorch-part3", 21 + step % 10)
        after, log = rate(scheduler, states.get(key), 1 + step % 4, start + timedelta(minutes=step))
        review_id = store.record_review(conn, key, states.get(key), after, log)
        states[key] = after
        print(review_id, flush=True)
""")


def ids_printed_before_sigkill(script: str, data_dir) -> list[int]:
    """Run `script` (which prints one id per recorded rating), SIGKILL it after five ids, and return every id it
    printed in full; they are numbered 1, 2, 3, ... (checked)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        seen_before_kill = [int(child.stdout.readline()) for _ in range(5)]
        os.kill(child.pid, signal.SIGKILL)
        rest, errors = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, errors
    # A line cut short by the kill was never fully printed, so it promises nothing.
    printed = seen_before_kill + [int(line) for line in rest.splitlines(keepends=True) if line.endswith("\n")]
    assert printed == list(range(1, len(printed) + 1))
    return printed


@pytest.mark.slow
def test_sigkill_mid_session_keeps_every_recorded_rating(tmp_path):
    printed = ids_printed_before_sigkill(RATER, tmp_path)

    conn = store.open_store(tmp_path)  # also proves the file is intact after the kill
    try:
        stored = [row.id for row in store.reviews(conn)]
        states = store.card_states(conn)
    finally:
        conn.close()
    assert stored[: len(printed)] == printed
    # At most the rating in flight when the kill came was stored without being printed.
    assert len(stored) - len(printed) in (0, 1)
    assert len(states) == min(10, len(stored))


# Rates five drills round and round with record_drill (as the quiz and `grade drill` do), printing each drill
# review id only after record_drill has returned.
DRILL_RATER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from tui import store, store_drills
    from tui.drills import DrillItem, DrillOutcome, record_drill
    from tui.scheduling import StudyOptions

    conn = store.open_store(Path(sys.argv[1]))
    items = [DrillItem(f"26.{k}", f"task {k}", 10.0) for k in range(1, 6)]
    for item in items:
        store_drills.enrol_drill(conn, item.task_id)
    start = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    for step in range(100_000):
        outcome = DrillOutcome(passed=step % 3 != 0, seconds=60.0 + step % 700, hints=step % 2, attempts=1 + step % 4,
                               verdict="pass" if step % 3 else "fail", drill_file=f"/w/drills/{step}.py")
        review_id, _ = record_drill(conn, items[step % 5], 1 + step % 4, outcome, start + timedelta(minutes=step),
                                    StudyOptions(), "quiz")
        print(review_id, flush=True)
""")


@pytest.mark.slow
def test_sigkill_mid_drills_keeps_every_recorded_drill_rating(tmp_path):
    from tui import store_drills

    printed = ids_printed_before_sigkill(DRILL_RATER, tmp_path)

    conn = store.open_store(tmp_path)  # the file is intact after the kill
    try:
        rows = store_drills.drill_reviews(conn)
        states = store_drills.drill_states(conn)
        enrolled = store_drills.drill_tasks(conn)
    finally:
        conn.close()
    stored = [row.id for row in rows]
    assert stored[: len(printed)] == printed
    assert len(stored) - len(printed) in (0, 1)  # at most the rating in flight at the kill
    # every printed rating is whole: its outcome and its drill file as written
    for row in rows[: len(printed)]:
        step = row.id - 1
        assert (row.task_id, row.rating, row.seconds, row.drill_file) == (
            f"26.{1 + step % 5}", 1 + step % 4, 60.0 + step % 700, f"/w/drills/{step}.py")
    assert set(enrolled) == {f"26.{k}" for k in range(1, 6)}
    assert len(states) == min(5, len(stored))
