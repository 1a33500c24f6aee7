"""The grader's topics: one folder per topic, `NN_slug/` (topic N is quiz question N and `grade exercise N`).

Each folder holds topic.toml (the manifest entry), stub.py, checks.py (trusted pytest checks), recipes.py (run in the
learner's process), mistakes.py, and as needed training.py (what a training check and its calibration share),
calibration.json, data.py, buggy/ (known-buggy learner files) and variants/ (the training corpus). Topics are
discovered from their folders (grader.engine.manifest.discover); see docs/writing-a-topic.md.
"""
