"""Makes `pytest grader/checks/...` work directly, with the grader plugin's options and fixtures."""

from grader.plugin import curves, device, learner, pytest_addoption, pytest_configure, reference  # noqa: F401
