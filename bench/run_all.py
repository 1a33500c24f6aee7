"""Run every benchmark under bench/ in turn (`make bench`); each prints its own ratios against its baseline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHES = ["quiz_startup.py", "quiz_rating.py", "grade_bench.py"]


def main() -> int:
    """Run each benchmark script with this interpreter; exit non-zero if any of them failed to run."""
    here = Path(__file__).resolve().parent
    failed = 0
    for name in BENCHES:
        print(f"== {name}", flush=True)
        failed += subprocess.call([sys.executable, str(here / name)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
