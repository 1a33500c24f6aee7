"""The sandbox's notion of the checkout: Python code may never be written into it, even when it lies under /tmp."""

from grader.engine import sandbox
from grader.engine.manifest import REPO_DIR


def test_the_sandbox_protects_the_whole_checkout_not_only_the_grader_package():
    # A clone under /tmp (as CI makes) sits inside the temporary directory, where writing code is otherwise allowed.
    assert sandbox._REPO_ROOT == str(REPO_DIR)
    assert (REPO_DIR / "pyproject.toml").is_file() and (REPO_DIR / "grader" / "engine" / "sandbox.py").is_file()
