"""Synthetic, seeded datasets made in code for the grader's training tasks (nothing is downloaded)."""
