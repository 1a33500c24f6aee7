"""The `grade` command line (commands), its grading step (grading), reports (report), the learner's workspace
(workspace) and the calibration command (calibrate). Builds on grader.engine; the engine never imports it."""

from grader.cli.commands import main

__all__ = ["main"]
