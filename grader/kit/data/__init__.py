"""Synthetic, seeded datasets made in code for the grader's training tasks, shared by several topics (nothing is
downloaded). A topic names the module whose `show(n)` renders a few samples for `grade data N` in its topic.toml
(`data = "grader.kit.data.vision"`); a generator only one topic uses lives in that topic's folder as data.py."""
