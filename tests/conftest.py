"""Suite-wide isolation: no test reads or writes the real user's data directory or exercise workspace, and no test
reaches the user's grading service: `grade` grades in-process unless a test starts a service of its own
(tests/test_grade_service.py, in a private runtime directory)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_user_dirs(tmp_path_factory):
    """Point the quiz store and the grader workspace at temporary folders for the whole session."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TORCHPREP_DATA_DIR", str(tmp_path_factory.mktemp("user-data")))
    mp.setenv("GRADE_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))
    mp.setenv("GRADE_NO_SERVER", "1")
    yield
    mp.undo()


@pytest.fixture
def data_dir(tmp_path):
    """An empty quiz data directory of the test's own (a test module may override it, e.g. with other decks)."""
    path = tmp_path / "data"
    path.mkdir()
    return path
