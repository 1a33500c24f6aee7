"""Run every benchmark under bench/ in turn (`make bench`); each prints its own ratios against its baseline.

`--json` prints one JSON object instead, every figure under a stable key so that runs can be compared:
quiz_first_card_vs_minimal_app, quiz_home_vs_minimal_app (until that screen's first frame is on the terminal),
quiz_*_exit_vs_minimal_app_exit (until the process exits), quiz_*_s (start-up), quiz_rating_* (rating latency),
grade_cold_vs_import_plus_compute, grade_warm_s, grade_compute_s, grade_warm_vs_budget, watch_regrade_s,
references_* (every topic's reference solutions) and the rest of bench/grade_bench.py's figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCHES = ["quiz_startup.py", "quiz_rating.py", "grade_bench.py"]
HERE = Path(__file__).resolve().parent
# quiz_startup.py's keys -> the stable names
QUIZ_STARTUP_KEYS = {
    "first_card_vs_minimal_app": "quiz_first_card_vs_minimal_app",
    "home_vs_minimal_app": "quiz_home_vs_minimal_app",
    "first_card_s": "quiz_first_card_s",
    "home_s": "quiz_home_s",
    "minimal_textual_app_s": "quiz_minimal_app_s",
    "baseline_import_textual_s": "quiz_import_textual_s",
    "first_card_ratio": "quiz_first_card_vs_import_textual",
    "home_ratio": "quiz_home_vs_import_textual",
    "first_card_cpu_ratio": "quiz_first_card_cpu_vs_import_textual",
    "home_exit_vs_minimal_app_exit": "quiz_home_exit_vs_minimal_app_exit",
    "first_card_exit_vs_minimal_app_exit": "quiz_first_card_exit_vs_minimal_app_exit",
}


def run_json(name: str, extra: list[str]) -> dict:
    """One benchmark's JSON object (its last line of output)."""
    out = subprocess.run([sys.executable, str(HERE / name), "--json", *extra], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def collect(references: bool = True) -> dict:
    """Every figure of every benchmark, under stable keys."""
    figures: dict = {}
    startup = run_json("quiz_startup.py", [])
    figures |= {QUIZ_STARTUP_KEYS[k]: v for k, v in startup.items() if k in QUIZ_STARTUP_KEYS}
    figures |= {f"quiz_cpu_{k}_s": v for k, v in startup.get("cpu_s", {}).items()}
    figures |= {f"quiz_exit_{k}_s": v for k, v in startup.get("exit_s", {}).items()}
    rating = run_json("quiz_rating.py", [])
    figures |= {f"quiz_rating_{k}": v for k, v in rating.items()}
    figures |= run_json("grade_bench.py", [] if references else ["--no-references"])
    return figures


def main() -> int:
    """Run each benchmark script with this interpreter; exit non-zero if any of them failed to run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true", help="one JSON object with every figure")
    parser.add_argument("--no-references", action="store_true", help="skip grading every topic's references")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(collect(references=not args.no_references), sort_keys=True))
        return 0
    failed = 0
    for name in BENCHES:
        print(f"== {name}", flush=True)
        extra = ["--no-references"] if name == "grade_bench.py" and args.no_references else []
        failed += subprocess.call([sys.executable, str(HERE / name), *extra]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
