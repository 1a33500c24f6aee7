"""Makes `pytest grader/topics/NN_slug/checks.py` work directly, with the grader plugin's options, fixtures and per-task
context (the grader's runner reads this file too: it is the only conftest its pytest run loads)."""

from grader.engine.plugin import (  # noqa: F401
    curves,
    device,
    learner,
    pytest_addoption,
    pytest_configure,
    pytest_pycollect_makemodule,
    pytest_runtest_call,
    reference,
)
