"""The names of the conventions tui/formats/ reads, in detection priority order (kept apart from the readers so that
the command line can list them without importing any parser)."""

PRIORITY = ("series", "headings", "qa", "obsidian", "details", "bold")
FORMATS = PRIORITY + ("anki-text", "apkg")
