"""Every ```python block of every built-in deck runs, offline, on the pinned torch (CPU only).

One child process per deck (tests/deck_code_runner.py): the blocks of a card run in order in one namespace, each card
in a fresh one; the network is cut inside the child, TORCH_HOME / XDG_CACHE_HOME / HOME point at an empty temporary
directory so that any download attempt fails loudly, and CUDA is hidden. This process never imports torch (the quiz
must not, see tests/test_layers.py); the child does. A failure names the deck, the card and its traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.deck import read_deck

REPO = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).resolve().parent / "deck_code_runner.py"
DECKS = sorted((REPO / "questions").glob("*.md"))
DECK_SECONDS = 900

pytestmark = pytest.mark.slow


def offline_env(home: Path) -> dict[str, str]:
    """The child's environment: no CUDA, caches and home in an empty directory, one thread, no hub access."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CUDA", "HF_", "TORCH_"))}
    env.update(
        HOME=str(home), TORCH_HOME=str(home / "torch"), XDG_CACHE_HOME=str(home / "cache"), CUDA_VISIBLE_DEVICES="",
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
        PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
        no_proxy="*", http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
    )
    return env


def python_blocks(path: Path) -> int:
    return sum(block.language.lower() in {"python", "py", "python3"} for card in read_deck(path).cards
               for block in card.code_blocks)


@pytest.mark.skipif(not DECKS, reason="no built-in decks in questions/")
@pytest.mark.parametrize("deck", DECKS, ids=[path.stem for path in DECKS])
def test_every_python_block_of_the_deck_runs_offline(deck, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(deck), str(report)], cwd=tmp_path, env=offline_env(home),
        capture_output=True, text=True, timeout=DECK_SECONDS,
    )
    assert result.returncode == 0 and report.exists(), f"the runner itself failed:\n{result.stderr[-4000:]}"
    outcome = json.loads(report.read_text(encoding="utf-8"))
    failed = [card for card in outcome["cards"] if not card["ok"]]
    assert not failed, "\n\n".join(
        f"{deck.name}: card {card['number']} (block at line {card['line']}) failed:\n{card['error']}"
        for card in failed
    )
    assert outcome["blocks"] == python_blocks(deck)  # every block ran
    assert not list((home / "torch").glob("**/*")), "something was downloaded into TORCH_HOME"


def test_the_runner_cuts_the_network_and_reports_the_failing_card(tmp_path):
    deck = tmp_path / "pytorch-part9.md"
    deck.write_text(
        "# 测试\n\n## 1. 好\n\n```python\nx = 1\n```\n\n```python\nassert x == 1  # the same namespace\n```\n\n"
        "## 2. 下载\n\n```python\nimport urllib.request\nurllib.request.urlopen('http://example.com')\n```\n\n"
        "## 3. 新的命名空间\n\n```python\nx\n```\n\n## 4. 不运行\n\n```bash\nexit 1\n```\n\n"
        "## 5. 本机的套接字可以用\n\n```python\nimport os, socket\nserver = socket.socket(socket.AF_UNIX)\n"
        "server.bind(os.path.abspath('s'))\nserver.listen(1)\nclient = socket.socket(socket.AF_UNIX)\n"
        "client.connect(os.path.abspath('s'))\nsocket.getaddrinfo('localhost', 80)\n"
        "try:\n    socket.create_connection(('203.0.113.9', 80), timeout=1)\nexcept OSError as error:\n"
        "    assert 'disabled' in str(error), error\n```\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    home.mkdir()
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, str(RUNNER), str(deck), str(report)], env=offline_env(home), check=True,
                   timeout=300, capture_output=True)
    cards = {card["number"]: card for card in json.loads(report.read_text(encoding="utf-8"))["cards"]}
    assert sorted(cards) == [1, 2, 3, 5] and cards[1]["ok"] and cards[1]["blocks"] == 2
    assert cards[5]["ok"], cards[5]["error"]
    assert not cards[2]["ok"] and "network access is disabled" in cards[2]["error"]
    assert not cards[3]["ok"] and "NameError" in cards[3]["error"]
    assert f'File "{deck}", line 23' in cards[3]["error"]  # tracebacks point at the deck's own lines
