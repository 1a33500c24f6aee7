"""What `quiz check` reports about each file: its cards and problems, the convention it was read as and why, the
lines it skipped, its notes, and whether `quiz import` would link it to a built-in part (tui/cli.py prints it).

Imports the library and linking lazily, so `quiz check` of a file never loads the store or the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tui.deck import Deck, Problem
from tui.formats import Analysis, analyze_path

SHOWN = 20  # skipped runs and notes printed per file (--json has them all)


def check_report(path: Path, format: str | None = None) -> tuple[Deck | None, list[Problem]]:
    """The deck (if any) and every problem of one file; unreadable files are a problem, not an exception."""
    analysis = analyze_path(path, format)
    return analysis.deck, list(analysis.problems)


def check_json(paths: Sequence[Path], format: str | None = None) -> dict:
    """The `quiz check --json` document for these files.

    A card that repeats another question has "same_as"; one identified by its text (no number) has "id", one under
    topic headings "tags". A file that `quiz import` would link to a built-in deck has "link" ({"deck", "part",
    "notes": numbers answered, "unanswered": numbers}); one whose title names a part of the series but that would
    not link has "note" saying why. Every file has "format" (the convention read, None when none fits) and "why";
    "skipped" (lines that are not part of a card), "notes" (remarks such as placeholder answers) and "candidates"
    (each convention that found cards, when more than one did) appear when there are any.
    """
    from tui.library import builtin_repeat_problems, is_builtin
    from tui.linking import builtin_decks, plan_link

    builtin = builtin_decks()
    files = []
    for path in paths:
        analysis = analyze_path(path, format)
        deck, problems = analysis.deck, list(analysis.problems)
        if deck is not None and not problems:
            problems = builtin_repeat_problems(deck, builtin)
        cards = [
            {"number": card.number, "question": card.question, "answered": card.answered, "line": card.line}
            | ({"same_as": card.same_as} if card.same_as is not None else {})
            | ({"id": card.ident} if card.ident is not None else {})
            | ({"tags": list(card.tags)} if card.tags else {})
            for card in (deck.cards if deck else ())
        ]
        errors = [{"line": problem.line, "message": problem.message} for problem in problems]
        entry = {"path": str(path), "cards": cards, "errors": errors}
        if deck is not None and not problems and not is_builtin(deck) and deck.format == "series":
            plan, why = plan_link(deck, builtin)
            if plan is not None:
                entry["link"] = {"deck": plan.deck.name, "part": plan.part, "notes": sorted(plan.answers),
                                 "unanswered": list(plan.unanswered)}
            elif why:
                entry["note"] = why
        entry |= _format_entry(analysis)
        files.append(entry)
    return {"files": files}


def _format_entry(analysis: Analysis) -> dict:
    """The convention keys of a `quiz check --json` file entry."""
    entry: dict = {"format": analysis.format, "why": analysis.why}
    if analysis.skipped:
        entry["skipped"] = [{"line": s.line, "end": s.end, "text": s.text, "why": s.why} for s in analysis.skipped]
    if analysis.notes:
        entry["notes"] = [{"line": n.line, "message": n.message} for n in analysis.notes]
    if len(analysis.candidates) > 1 or analysis.ambiguous:
        entry["candidates"] = [{"format": c.format, "cards": c.cards, "answered": c.answered, "score": c.score}
                               for c in analysis.candidates]
    return entry


def print_convention(entry: dict) -> None:
    """How `quiz check` read a file: the convention and why, the other readings, what it skipped, its notes."""
    if entry.get("format"):
        print(f"  read as {entry['format']}: {entry['why']}")
    candidates = entry.get("candidates", [])
    if not entry.get("format") and len(candidates) > 1:
        others = ", ".join(f"{c['format']} ({c['cards']} cards, score {c['score']:g})" for c in candidates)
        print(f"  conventions that fit: {others}")
    skipped = entry.get("skipped", [])
    for run in skipped[:SHOWN]:
        lines = f"line {run['line']}" if run["line"] == run["end"] else f"lines {run['line']}-{run['end']}"
        print(f"  skipped {lines} ({run['why']}): {run['text']}")
    if len(skipped) > SHOWN:
        print(f"  ... and {len(skipped) - SHOWN} more skipped runs of lines (all of them in --json)")
    notes = entry.get("notes", [])
    for note in notes[:SHOWN]:
        print(f"  note: line {note['line']}: {note['message']}")
    if len(notes) > SHOWN:
        print(f"  ... and {len(notes) - SHOWN} more notes (all of them in --json)")
