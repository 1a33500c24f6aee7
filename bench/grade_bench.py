"""Grader benchmarks, each printed against a baseline measured in the same run (medians of --repeat runs, baselines
interleaved with them; no timed tests: the figures are only as steady as the machine).

1. Compute: the checks of topic 26 run in-process on the reference, in a process that already imported torch, pytest
   and hypothesis and has run them once (what is left is the checks' own work): `grade_compute_s`.
2. Cold: `grade exercise 26` on a correct file when no grading service runs (the command starts one), against
   `python -c "import torch"` plus that compute. Target <= 1.3x. `--no-server` (grading in the command's own
   process, as before the service) is timed alongside.
3. Warm: the same command with the service running (it is stopped and started afresh for each series). Target
   <= 1.25x compute + 0.3 s.
4. Watch: `grade watch 26 --task 26.1`, from a save of the file to the verdict on screen (and 99.1 of the toy catalog,
   whose check costs next to nothing: the engine's own latency). Target <= 0.3 s.
5. Every topic's reference solutions graded by `grade all` through the warm service, against the sum of their
   checks' compute (each measured as in 1).

    .venv/bin/python bench/grade_bench.py [--repeat N] [--json] [--no-references]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
TOY = REPO / "tests" / "fixtures" / "grader_catalog"
TOPIC_26 = "26_cross_entropy"

CHECKS_COMPUTE = r"""
import os, sys, time, io, contextlib, statistics
import torch, pytest, hypothesis  # the imports are the baseline's, not the checks' compute
os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
args = [sys.argv[1], "--in-process", "--learner-file", sys.argv[2], "-p", "no:cacheprovider", "-q", "-c", os.devnull,
        "--rootdir", os.path.dirname(sys.argv[1])]
times = []
for _ in range(1 + int(sys.argv[3])):  # the first run pays first-call costs; the rest are the checks' own work
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main(args)
    times.append(time.perf_counter() - start)
print(statistics.median(times[1:]))
"""


def median(values: list[float]) -> float:
    """The median, rounded for the report."""
    return round(statistics.median(values), 4)


def wall(argv: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> float:
    """Seconds a command takes, start to exit."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def checks_compute(slug: str, runs: int = 1) -> float:
    """Seconds the checks of one topic take in-process on its reference (torch, pytest, hypothesis imported)."""
    out = subprocess.run([PY, "-c", CHECKS_COMPUTE, str(REPO / "grader" / "topics" / slug / "checks.py"),
                          str(REPO / "solutions" / f"{slug}.py"), str(runs)], cwd=REPO, capture_output=True,
                         text=True, check=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    return float(out.stdout.strip().splitlines()[-1])


class Runtime:
    """A private runtime directory for the grading services of one series of measurements."""

    def __init__(self, tmp: Path, data: Path):
        self.folder = Path(tempfile.mkdtemp(prefix="tp-bench-"))
        self.env = {k: v for k, v in os.environ.items() if k != "GRADE_NO_SERVER"}
        self.env.update(TORCHPREP_RUNTIME_DIR=str(self.folder), TORCHPREP_DATA_DIR=str(data),
                        PYTHONPATH=str(REPO))

    def status(self) -> dict | None:
        """The running service's status (None when none runs)."""
        code = ("import json\nfrom grader.cli.client import service_request\n"
                "print(json.dumps(service_request({'op': 'status'})))\n")
        out = subprocess.run([PY, "-c", code], env=self.env, capture_output=True, text=True, cwd=REPO)
        lines = out.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def stop(self) -> None:
        """Stop the service and wait until it and its fork server are gone."""
        status = self.status()
        subprocess.run([PY, "-m", "grader.cli", "server", "stop"], env=self.env, cwd=REPO,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for pid in (status or {}).get("pid"), (status or {}).get("forkserver_pid"):
            _wait_gone(pid)

    def wait_warm(self, settle: float = 3.0) -> None:
        """Until the service has imported what it imports while idle (and its fork server had time to as well)."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            status = self.status()
            if status and not status.get("warm_left"):
                break
            time.sleep(0.5)
        time.sleep(settle)

    def remove(self) -> None:
        """Stop the service and remove the runtime directory."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _wait_gone(pid: int | None, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while pid and os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.05)


def bench_exercise(repeat: int, tmp: Path) -> dict[str, float]:
    """Cold, warm and --no-server `grade exercise 26` against import torch and the checks' compute."""
    ws = tmp / "ws26"
    ws.mkdir()
    shutil.copyfile(REPO / "solutions" / f"{TOPIC_26}.py", ws / f"{TOPIC_26}.py")
    compute = checks_compute(TOPIC_26, runs=3)
    argv = [PY, "-m", "grader.cli", "exercise", "26", "--workspace", str(ws)]
    imports, cold, plain, warm = [], [], [], []
    for _ in range(repeat):  # interleaved, so that all of them see the same machine load
        imports.append(wall([PY, "-c", "import torch"]))
        runtime = Runtime(tmp, tmp / "data")
        try:
            cold.append(wall(argv, runtime.env))
            runtime.wait_warm()
            for _ in range(2):
                warm.append(wall(argv, runtime.env))
        finally:
            runtime.remove()
        plain.append(wall([*argv, "--no-server"], dict(os.environ, TORCHPREP_DATA_DIR=str(tmp / "data"))))
    return {"grade_compute_s": round(compute, 4), "import_torch_s": median(imports), "grade_cold_s": median(cold),
            "grade_warm_s": median(warm), "grade_no_server_s": median(plain)}


def bench_watch(repeat: int, tmp: Path) -> dict[str, float]:
    """Seconds from a save to the verdict line of `grade watch`, for 26.1 and the toy 99.1."""
    results = {}
    for key, topic, task, source, catalog in [
        ("watch_regrade_s", 26, "26.1", REPO / "solutions" / f"{TOPIC_26}.py", None),
        ("watch_regrade_toy_s", 99, "99.1", TOY / "solutions" / "99_toy.py", TOY),
    ]:
        ws = tmp / f"watch{topic}"
        ws.mkdir()
        target = ws / source.name
        text = source.read_text()
        target.write_text(text)
        argv = [PY, "-m", "grader.cli", "watch", str(topic), "--task", task, "--workspace", str(ws)]
        if catalog is not None:
            argv += ["--catalog", str(catalog)]
        env = dict(os.environ, TORCHPREP_DATA_DIR=str(tmp / "data"), PYTHONUNBUFFERED="1")
        watcher = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, bufsize=1)
        try:
            _until_verdict(watcher, topic)
            times = []
            for i in range(repeat):
                time.sleep(6.0)  # the spare learner process has imported torch and the recipes by the next save
                start = time.perf_counter()
                target.write_text(text + f"\n# save {i}\n")
                _until_verdict(watcher, topic)
                times.append(time.perf_counter() - start)
            results[key] = median(times)
        finally:
            watcher.send_signal(signal.SIGINT)
            try:
                watcher.wait(timeout=30)
            except subprocess.TimeoutExpired:
                watcher.kill()
    return results


def _until_verdict(process: subprocess.Popen, topic: int) -> None:
    seen = []
    for line in process.stdout:  # type: ignore[union-attr]
        seen.append(line)
        if f"of exercise {topic} pass" in line:
            if "all" not in line:
                raise RuntimeError("the watch bench's file did not pass:\n" + "".join(seen[-20:]))
            return
    raise RuntimeError("grade watch ended before its verdict:\n" + "".join(seen[-20:]))


def bench_references(tmp: Path) -> dict[str, float]:
    """`grade all` over every topic's reference solution (warm service) against the sum of their checks' compute."""
    ws = tmp / "all"
    ws.mkdir()
    slugs = sorted(p.name for p in (REPO / "grader" / "topics").iterdir()
                   if p.is_dir() and p.name[:2].isdigit() and (REPO / "solutions" / f"{p.name}.py").is_file())
    for slug in slugs:
        shutil.copyfile(REPO / "solutions" / f"{slug}.py", ws / f"{slug}.py")
    compute = sum(checks_compute(slug) for slug in slugs)
    runtime = Runtime(tmp, tmp / "data")
    try:
        wall([PY, "-m", "grader.cli", "exercise", "26", "--workspace", str(ws)], runtime.env)  # starts the service
        runtime.wait_warm()
        seconds = wall([PY, "-m", "grader.cli", "all", "--workspace", str(ws)], runtime.env)
    finally:
        runtime.remove()
    return {"references_topics": len(slugs), "references_graded_s": round(seconds, 3),
            "references_compute_s": round(compute, 3), "references_vs_compute": round(seconds / compute, 2)}


def run(repeat: int, references: bool = True) -> dict[str, float]:
    """Every figure, and the ratios the targets are stated in."""
    with tempfile.TemporaryDirectory(prefix="grade-bench-") as tmp_name:
        tmp = Path(tmp_name)
        figures = bench_exercise(repeat, tmp)
        figures |= bench_watch(repeat, tmp)
        if references:
            figures |= bench_references(tmp)
    compute, cold_base = figures["grade_compute_s"], figures["import_torch_s"] + figures["grade_compute_s"]
    figures |= {
        "grade_cold_vs_import_plus_compute": round(figures["grade_cold_s"] / cold_base, 2),
        "grade_no_server_vs_import_plus_compute": round(figures["grade_no_server_s"] / cold_base, 2),
        "grade_warm_budget_s": round(1.25 * compute + 0.3, 4),
        "grade_warm_vs_budget": round(figures["grade_warm_s"] / (1.25 * compute + 0.3), 2),
        "grade_warm_vs_compute": round(figures["grade_warm_s"] / compute, 2),
        "watch_regrade_vs_target": round(figures["watch_regrade_s"] / 0.3, 2),
        "cores": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1), "repeat": repeat,
    }
    return figures


def main() -> None:
    """Run the benchmarks and print their figures and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-references", action="store_true", help="skip grading every topic's references")
    args = parser.parse_args()
    f = run(args.repeat, references=not args.no_references)
    if args.json:
        print(json.dumps(f))
        return
    print(f"cores: {f['cores']}, load average: {f['load_average']}, medians of {f['repeat']} runs")
    print(f"checks' own compute (26): {f['grade_compute_s']:.2f} s; python -c 'import torch': {f['import_torch_s']:.2f} s")
    print(f"grade exercise 26, cold (starts the service): {f['grade_cold_s']:.2f} s, "
          f"{f['grade_cold_vs_import_plus_compute']:.2f}x import torch + compute (target <= 1.3x)")
    print(f"grade exercise 26 --no-server: {f['grade_no_server_s']:.2f} s, "
          f"{f['grade_no_server_vs_import_plus_compute']:.2f}x import torch + compute")
    print(f"grade exercise 26, warm service: {f['grade_warm_s']:.2f} s, {f['grade_warm_vs_budget']:.2f} of the "
          f"budget 1.25x compute + 0.3 s = {f['grade_warm_budget_s']:.2f} s (target <= 1); "
          f"{f['grade_warm_vs_compute']:.2f}x compute")
    print(f"watch re-grade after a save: 26.1 {f['watch_regrade_s']:.3f} s (target <= 0.3 s), "
          f"toy 99.1 {f['watch_regrade_toy_s']:.3f} s")
    if "references_graded_s" in f:
        print(f"reference solutions of all {f['references_topics']} topics graded (warm): "
              f"{f['references_graded_s']:.1f} s; their checks' compute {f['references_compute_s']:.1f} s; "
              f"ratio {f['references_vs_compute']:.2f}x")


if __name__ == "__main__":
    main()
