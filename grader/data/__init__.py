"""Synthetic, seeded datasets made in code for the grader's training tasks (nothing is downloaded).

TOPIC_DATA maps a topic to the module whose `show()` renders a few samples for `grade data N --show`; the modules are
imported only when asked for (they import torch).
"""

TOPIC_DATA: dict[int, str] = {
    21: "grader.data.vision",
    22: "grader.data.vision",
    28: "grader.data.vision",
    27: "grader.data.sequences",
    23: "grader.data.tabular",
    24: "grader.data.tabular",
    25: "grader.data.tabular",
    30: "grader.data.tabular",
}
