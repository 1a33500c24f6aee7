"""The `grade` command line (commands), its grading step (grading), reports (report), the learner's workspace
(workspace), the calibration command (calibrate), and the grading service's client (client) and process (serve).
Builds on grader.engine; the engine never imports it."""

from __future__ import annotations

from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run `grade`: `grade exercise` and `grade all` through the warm grading service when it can be used
    (grader.cli.client), everything else, and those too when it cannot, in this process (grader.cli.commands)."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    from grader.cli import client

    if client.wants_service(args):
        code = client.run(args)
        if code is not None:
            return code
    from grader.cli.commands import main as run_here

    return run_here(args)


__all__ = ["main"]
