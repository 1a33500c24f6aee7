"""Recipes: the code that runs inside the learner's process, one module per topic slug."""
