"""The grading engine: the manifest and catalog, the learner's process (isolation, protocol, worker, sandbox, guards),
the runner and its pytest plugin and session, and the verdicts. It imports nothing from grader.cli, grader.kit or
grader.topics: topics and the command line build on it."""
