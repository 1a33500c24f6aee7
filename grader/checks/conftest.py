"""Makes `pytest grader/checks/...` work directly, with the grader plugin's options, fixtures and per-task context."""

from grader.plugin import (  # noqa: F401
    curves,
    device,
    learner,
    pytest_addoption,
    pytest_configure,
    pytest_runtest_call,
    reference,
)
