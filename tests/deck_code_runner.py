"""Run every ```python block of one deck, offline, and write what happened as JSON (used by test_deck_code_blocks.py).

    python tests/deck_code_runner.py DECK.md REPORT.json

The blocks of one card run in order in one namespace, each card in a fresh namespace and a fresh temporary working
directory, with a time limit per card. The network is cut inside this process (a connect to, or a name lookup of,
any host but this machine raises; Unix sockets and loopback stay, since DataLoader workers and torch.distributed on
one machine use them), so a block that tries to download weights or a data set fails loudly; the caller also points
TORCH_HOME, XDG_CACHE_HOME and HOME at an empty temporary directory and hides CUDA. Tracebacks name the deck file
and its real line numbers. Not a test module: a script the test runs in a child process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tui.deck import read_deck  # noqa: E402  (after the path set-up)

PYTHON_LANGUAGES = {"python", "py", "python3"}
CARD_SECONDS = int(os.environ.get("DECK_CODE_CARD_SECONDS", "120"))


class NetworkDisabled(OSError):
    """Raised by every attempt to reach the network while deck code runs."""


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", "::"}
_real_connect, _real_connect_ex = socket.socket.connect, socket.socket.connect_ex
_real_getaddrinfo, _real_gethostbyname = socket.getaddrinfo, socket.gethostbyname


def _local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return host is None or str(host) in _LOCAL_HOSTS or str(host).startswith("127.")


def _refused(what) -> NetworkDisabled:
    return NetworkDisabled(f"network access is disabled while deck code runs ({what}); no downloads: build "
                           "models with weights=None and data in code")


def _connect(self, address):
    if self.family == getattr(socket, "AF_UNIX", None) or _local(address[0]):
        return _real_connect(self, address)
    raise _refused(f"connect to {address[0]}")


def _connect_ex(self, address):
    if self.family == getattr(socket, "AF_UNIX", None) or _local(address[0]):
        return _real_connect_ex(self, address)
    raise _refused(f"connect to {address[0]}")


def _getaddrinfo(host, *args, **kwargs):
    if _local(host):
        return _real_getaddrinfo(host, *args, **kwargs)
    raise _refused(f"looking up {host}")


def _gethostbyname(host):
    if _local(host):
        return _real_gethostbyname(host)
    raise _refused(f"looking up {host}")


def cut_the_network() -> None:
    """Make every connect to, and name lookup of, another machine fail in this process (and its forks)."""
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex
    socket.getaddrinfo = _getaddrinfo
    socket.gethostbyname = _gethostbyname


def _on_alarm(signum, frame):
    raise TimeoutError(f"the card's code ran longer than {CARD_SECONDS} s")


def code_start(lines: list[str], fence_line: int) -> int:
    """The 1-based line where a block's code starts: after its fence (line `fence_line`) and any blank lines."""
    start = fence_line + 1
    while start <= len(lines) and not lines[start - 1].strip():
        start += 1
    return start


def run_deck(path: Path) -> dict:
    """Run the deck's python blocks card by card; return {"deck", "blocks", "cards": [...]}."""
    deck = read_deck(path)
    lines = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cards, blocks_run = [], 0
    home = os.getcwd()
    signal.signal(signal.SIGALRM, _on_alarm)
    for card in deck.cards:
        blocks = [block for block in card.code_blocks if block.language.lower() in PYTHON_LANGUAGES]
        if not blocks:
            continue
        namespace = {"__name__": f"card_{card.number}"}
        started = time.monotonic()
        result = {"number": card.number, "blocks": len(blocks), "ok": True, "error": "", "line": None}
        with tempfile.TemporaryDirectory(prefix=f"card{card.number}-") as workdir:
            os.chdir(workdir)
            signal.alarm(CARD_SECONDS)
            try:
                for block in blocks:
                    result["line"] = block.line
                    padded = "\n" * (code_start(lines, block.line) - 1) + block.code + "\n"
                    exec(compile(padded, str(path), "exec"), namespace)  # noqa: S102 (the point of the test)
                    blocks_run += 1
            except BaseException as error:  # noqa: BLE001 (report everything, including SystemExit)
                result.update(ok=False, error="".join(traceback.format_exception(error)).strip()[-4000:])
            finally:
                signal.alarm(0)
                os.chdir(home)
        result["seconds"] = round(time.monotonic() - started, 2)
        cards.append(result)
    return {"deck": str(path), "blocks": blocks_run, "cards": cards}


def main(argv: list[str]) -> int:
    """Run one deck and write its report."""
    deck, report = Path(argv[0]), Path(argv[1])
    cut_the_network()
    outcome = run_deck(deck)
    report.write_text(json.dumps(outcome, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
