"""Time from pressing a rating key to the next card on screen, against a no-op key press (Textual Pilot, headless).

A session over the built-in deck plus a synthetic deck of 300 cards (so queue rebuilding has real work to do) in a
temporary data directory. For each of N cards: reveal, then time `pilot.press("3")` until the next card is shown;
the baseline is the same press of a key bound to nothing. Pilot's own overhead per press is large, so the app also
times itself: from the rating action starting (the rating is written to the store) to the end of the next screen
refresh, which draws the next card. Prints the medians and the ratio; the target is 50 ms for a rating and the next
card.

    .venv/bin/python bench/quiz_rating.py [--ratings 40] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET_MS = 50.0
SYNTHETIC_CARDS = 300


def synthetic_deck(cards: int) -> str:
    """A deck in the series' style: Chinese questions, answers with a list, inline code, math and a code block."""
    lines = ["# 基准测试题库", ""]
    lines += [f"{n}. 第{n}题：如何在PyTorch中实现第{n}个组件？" for n in range(1, cards + 1)]
    for n in range(1, cards + 1):
        lines += ["", f"## {n}. 第{n}题：如何在PyTorch中实现第{n}个组件？",
                  f"使用 `nn.Module` 定义组件，损失为 $L=-\\sum_i y_i\\log p_i$，第{n}题的要点如下：", "",
                  "1. **前向**：在 `forward` 中组合子模块。", "2. **反向**：调用 `loss.backward()`。", "",
                  "```python", "import torch.nn as nn", f"layer = nn.Linear({n}, {n})", "```"]
    return "\n".join(lines) + "\n"


async def measure(ratings: int) -> dict[str, float]:
    """Median milliseconds of a rating (until the next card is shown) and of a no-op key press."""
    from tui.app import create_app
    from tui.scheduling import StudyOptions
    from tui.screens.review import ReviewScreen

    painted_ms: list[float] = []
    real_rate = ReviewScreen.action_rate

    def timed_rate(screen, rating: int) -> None:
        start = time.perf_counter()
        real_rate(screen, rating)
        screen.call_after_refresh(lambda: painted_ms.append((time.perf_counter() - start) * 1000))

    ReviewScreen.action_rate = timed_rate

    with tempfile.TemporaryDirectory(prefix="torchprep-bench-") as data_dir:
        decks = Path(data_dir) / "decks"
        decks.mkdir()
        (decks / "bench-synthetic.md").write_text(synthetic_deck(SYNTHETIC_CARDS), encoding="utf-8")
        app = create_app(Path(data_dir), StudyOptions(new_per_day=10_000))
        rate_ms: list[float] = []
        noop_ms: list[float] = []
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.start_review()
            await pilot.pause()
            screen = app.screen
            for _ in range(ratings):
                start = time.perf_counter()
                await pilot.press("f12")  # bound to nothing: the cost of a key press itself
                await pilot.pause()
                noop_ms.append((time.perf_counter() - start) * 1000)
                await pilot.press("space")
                while not screen.revealed:
                    await pilot.pause(0.005)
                before = screen.card
                start = time.perf_counter()
                await pilot.press("3")
                await pilot.pause()  # and the refresh that draws the next card
                while screen.card is before:
                    await pilot.pause(0)
                rate_ms.append((time.perf_counter() - start) * 1000)
    ReviewScreen.action_rate = real_rate
    return {"rating_ms": statistics.median(rate_ms), "noop_ms": statistics.median(noop_ms),
            "in_app_ms": statistics.median(painted_ms)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=40)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.ratings))
    report = {
        "in_app_rating_to_next_card_ms": round(result["in_app_ms"], 2),
        "rating_ms": round(result["rating_ms"], 2),
        "noop_key_ms": round(result["noop_ms"], 2),
        "ratio": round(result["rating_ms"] / result["noop_ms"], 2),
        "target_ms": TARGET_MS,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"quiz rating, median of {args.ratings} ratings ({SYNTHETIC_CARDS + 10} cards)")
        print(f"  no-op key press              {report['noop_key_ms']:.1f} ms")
        print(f"  rating + next card on screen {report['rating_ms']:.1f} ms  ratio {report['ratio']:.2f}")
        print(f"  in the app: rating written, next card drawn  {report['in_app_rating_to_next_card_ms']:.1f} ms"
              f"  (target {TARGET_MS:g} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
