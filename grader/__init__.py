"""The exercise grader: learner code runs in a child process, verdicts are decided here.

Importing this package imports neither torch nor textual; submodules that need torch import it themselves.
"""
