"""Start-up time of the quiz: `python -m tui` until the home screen (and the first card) is on screen.

Each run starts the real command in a pseudo-terminal (100x30) with TORCHPREP_BENCH_EXIT=home|card, which makes the
app exit right after that screen's first frame; "on screen" is when text only that frame holds (DRAWN) reaches the
terminal (the exit time, which adds Textual's shutdown, is printed beside it). The baseline is `python -c "import textual"` run in the
same loop, interleaved, so machine load affects both alike; a minimal Textual app (header, one line, footer, exit on
first paint) is timed alongside as the floor any Textual app pays. Prints the medians and the ratios; the targets are
the first card on screen within 1.2x the minimal app, the home screen within 1.1x.

    .venv/bin/python bench/quiz_startup.py [--repeat 7] [--json]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.6
SIZE = (100, 30)
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static


class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.exit)


Minimal().run()
"""
# Text each screen holds when it is complete (body and footer keys): "on screen" is when all of it has reached the
# terminal, whichever frames it came in.
DRAWN = {"minimal": ("hello".encode(),), "home": ("Retention".encode(), "Cram topic".encode()),
         "card": ("show the answer".encode(), "Undo".encode())}


def run_in_pty(argv: list[str], env: dict[str, str], drawn_text: tuple[bytes, ...] = (),
               timeout: float = 60.0) -> tuple[float, float, float]:
    """(seconds until the screen was drawn, wall seconds until exit, CPU seconds) of running `argv` in a
    pseudo-terminal; its output is dropped. "Drawn" is when every piece of `drawn_text`, which only the awaited screen
    holds, has reached the terminal: what the learner waits for (the exit time adds Textual's shutdown).

    CPU time (user + system, from wait4) is reported beside wall time because it barely moves with machine load.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    start = time.perf_counter()
    drawn: float | None = None
    seen = b""
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO, close_fds=True)
    os.close(slave)
    try:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                elapsed = time.perf_counter() - start
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - start > timeout:
                process.kill()
                process.wait()
                raise RuntimeError(f"{' '.join(argv)} did not exit within {timeout:g} s")
            ready, _, _ = select.select([master], [], [], 0.005)
            if ready:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:
                    chunk = b""
                if drawn is None and chunk and drawn_text:
                    seen += chunk
                    if all(text in seen for text in drawn_text):
                        drawn = time.perf_counter() - start
    finally:
        os.close(master)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with status {process.returncode}")
    return (elapsed if drawn is None else drawn), elapsed, usage.ru_utime + usage.ru_stime


def measure(repeat: int) -> dict[str, float]:
    """Median wall (and, as NAME_cpu, CPU) seconds of the baseline, the minimal app and the quiz up to each stage."""
    with tempfile.TemporaryDirectory(prefix="torchprep-bench-") as data_dir:
        env = {**os.environ, "TERM": os.environ.get("TERM", "xterm-256color"), "PYTHONPATH": str(REPO)}
        # As a learner's machine has it: the project's modules load from their bytecode cache, written by the
        # warm-up below (PYTHONDONTWRITEBYTECODE, set on some CI machines, would recompile every module every start).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for sized in ("COLUMNS", "LINES"):  # would override the pseudo-terminal's size
            env.pop(sized, None)
        quiz = [sys.executable, "-m", "tui", "--data-dir", data_dir]
        baseline = [sys.executable, "-c", "import textual"]
        minimal = [sys.executable, "-c", MINIMAL_APP]
        for stage in ("home", "card"):  # warm-up: byte-compiles, creates the database
            run_in_pty(quiz, {**env, "TORCHPREP_BENCH_EXIT": stage})
        runs: dict[str, list[tuple[float, float, float]]] = {"baseline": [], "minimal": [], "home": [], "card": []}
        for _ in range(repeat):
            runs["baseline"].append(run_in_pty(baseline, env))
            runs["minimal"].append(run_in_pty(minimal, env, DRAWN["minimal"]))
            for stage in ("home", "card"):
                runs[stage].append(run_in_pty(quiz, {**env, "TORCHPREP_BENCH_EXIT": stage}, DRAWN[stage]))
    result = {name: statistics.median(drawn for drawn, _, _ in values) for name, values in runs.items()}
    result |= {f"{name}_exit": statistics.median(wall for _, wall, _ in values) for name, values in runs.items()}
    result |= {f"{name}_cpu": statistics.median(cpu for _, _, cpu in values) for name, values in runs.items()}
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = measure(args.repeat)
    report = {
        "baseline_import_textual_s": round(result["baseline"], 4),
        "minimal_textual_app_s": round(result["minimal"], 4),
        "home_s": round(result["home"], 4),
        "first_card_s": round(result["card"], 4),
        "home_ratio": round(result["home"] / result["baseline"], 2),
        "first_card_ratio": round(result["card"] / result["baseline"], 2),
        "first_card_vs_minimal_app": round(result["card"] / result["minimal"], 2),
        "home_vs_minimal_app": round(result["home"] / result["minimal"], 2),
        "home_exit_vs_minimal_app_exit": round(result["home_exit"] / result["minimal_exit"], 2),
        "first_card_exit_vs_minimal_app_exit": round(result["card_exit"] / result["minimal_exit"], 2),
        "exit_s": {name: round(result[f"{name}_exit"], 4) for name in ("baseline", "minimal", "home", "card")},
        "cpu_s": {name: round(result[f"{name}_cpu"], 4) for name in ("baseline", "minimal", "home", "card")},
        "first_card_cpu_ratio": round(result["card_cpu"] / result["baseline_cpu"], 2),
        "target_s": TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"quiz start-up, median of {args.repeat} runs in a {SIZE[0]}x{SIZE[1]} pty")
        print(f"  baseline  python -c 'import textual'  {report['baseline_import_textual_s']:.3f} s")
        print(f"  minimal Textual app on screen         {report['minimal_textual_app_s']:.3f} s")
        print(f"  home screen on screen                 {report['home_s']:.3f} s  ratio {report['home_ratio']:.2f}  "
              f"({report['home_vs_minimal_app']:.2f}x the minimal app; target 1.1x)")
        print(f"  first card on screen                  {report['first_card_s']:.3f} s  "
              f"ratio {report['first_card_ratio']:.2f}  ({report['first_card_vs_minimal_app']:.2f}x the minimal app; "
              f"target 1.2x)")
        print(f"  until the process exits (Textual's shutdown included): minimal app {report['exit_s']['minimal']:.3f} s,"
              f" home {report['exit_s']['home']:.3f} s ({report['home_exit_vs_minimal_app_exit']:.2f}x), first card "
              f"{report['exit_s']['card']:.3f} s ({report['first_card_exit_vs_minimal_app_exit']:.2f}x)")
        cpu = report["cpu_s"]
        print(f"  CPU seconds (load-independent): import textual {cpu['baseline']:.3f}, minimal app "
              f"{cpu['minimal']:.3f}, home {cpu['home']:.3f}, first card {cpu['card']:.3f} "
              f"(ratio {report['first_card_cpu_ratio']:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
