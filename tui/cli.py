"""The `quiz` command: open the flashcard app, or check, import, list and export Markdown decks.

    quiz [--data-dir DIR] [--until YYYY-MM-DD] [--retention 0.9] [--new-per-day 20]
    quiz check [--json] [--format NAME] FILE...      quiz import [--replace] [--format NAME] FILE...
    quiz decks      quiz export --anki FILE.apkg      quiz mock [--minutes 45] [--drills 1|2]

A document may be written in any of the conventions of tui/formats/ (the series' style, headings, bold questions,
Q/A pairs, Obsidian Spaced Repetition, <details>/blockquote answers, Anki exports and packages): `quiz check` says
which one it detected and why, and what it skipped; `--format NAME` chooses one.

A document that is the learner's own copy of a part of the series ("PyTorch知识点总结之三") links to the built-in deck
of that part instead of becoming a second deck (tui/linking.py): `quiz check` says it would link, `quiz import` links
it, `quiz decks` lists it as linked.

The parsers, the app, the store and the Anki exporter are imported only by the commands that use them, so `quiz check`
never loads textual and `quiz` itself reaches its first screen without parsing code it does not need.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

from tui.cli_values import count_option, date_option, minutes_option, retention_option
from tui.format_names import FORMATS

DEBUG_ENV = "TORCHPREP_DEBUG"
FORMAT_HELP = f"read the files as this convention instead of detecting it: {', '.join(FORMATS)}"
DATA_DIR_HELP = "where progress and imported decks are kept (default: $TORCHPREP_DATA_DIR or the user data directory)"


class CliError(Exception):
    """A failure to report as one line and a non-zero exit."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `quiz` command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _plain_quiz_args(argv)
    if args is None:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exit_:  # argparse has printed usage and the error (or the help)
            return exit_.code if isinstance(exit_.code, int) else 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as error:  # the last line of defence: one clear line, never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        _error(_describe(error))
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `quiz` and its subcommands."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="quiz",
        description="PyTorch interview flashcards from Markdown decks, scheduled with FSRS.",
        epilog=f"Set {DEBUG_ENV}=1 to see a traceback when something fails unexpectedly.",
    )
    common = argparse.ArgumentParser(add_help=False)
    # --data-dir is accepted before or after the command; SUPPRESS keeps a command's default from hiding the other.
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=DATA_DIR_HELP)
    _add_app_options(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    check = commands.add_parser("check", parents=[common], help="validate Markdown decks and show their cards")
    check.add_argument("--json", action="store_true", help="print machine-readable JSON")
    check.add_argument("--format", choices=FORMATS, metavar="NAME", help=FORMAT_HELP)
    check.add_argument("files", nargs="+", metavar="FILE", type=Path)
    check.set_defaults(run=_run_check)

    importing = commands.add_parser("import", parents=[common], help="add Markdown decks to your decks")
    importing.add_argument("--replace", action="store_true", help="replace a different deck of the same name")
    importing.add_argument("--format", choices=FORMATS, metavar="NAME", help=FORMAT_HELP)
    importing.add_argument("files", nargs="+", metavar="FILE", type=Path)
    importing.set_defaults(run=_run_import)

    decks = commands.add_parser("decks", parents=[common], help="list the built-in and imported decks")
    decks.set_defaults(run=_run_decks)

    export = commands.add_parser("export", parents=[common], help="export every deck")
    export.add_argument("--anki", metavar="FILE.apkg", type=Path, required=True, help="write an Anki package")
    export.set_defaults(run=_run_export)

    mock = commands.add_parser("mock", parents=[common], help="a mock interview: due cards and drills, timed")
    mock.add_argument("--minutes", metavar="45", type=minutes_option, default=45.0, help="the time budget (default 45)")
    mock.add_argument("--drills", type=int, choices=(0, 1, 2), default=1, help="due drills to include (default 1)")
    mock.set_defaults(run=_run_mock)
    return parser


def _add_app_options(parser: argparse.ArgumentParser) -> None:
    """The options of `quiz` itself (the app); _APP_OPTIONS lists the same for _plain_quiz_args."""
    parser.add_argument("--data-dir", metavar="DIR", default=None, help=DATA_DIR_HELP)
    parser.add_argument("--until", metavar="YYYY-MM-DD", type=date_option, help="interview date: be ready by then")
    parser.add_argument("--retention", metavar="0.9", type=retention_option, help="desired retention, between 0 and 1")
    parser.add_argument("--new-per-day", metavar="20", type=count_option, help="new cards per day")
    parser.set_defaults(run=_run_app)


# The app's own options as _plain_quiz_args reads them: (attribute, type function), as _add_app_options declares them.
_APP_OPTIONS = {"--data-dir": ("data_dir", str), "--until": ("until", date_option),
                "--retention": ("retention", retention_option), "--new-per-day": ("new_per_day", count_option)}


def _plain_quiz_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """The options of a plain `quiz [--data-dir DIR] [--until ...] [--retention ...] [--new-per-day ...]`, the
    command line that opens the app, read without argparse (importing it and building every command's parser cost
    milliseconds of each start); None for anything else (a command, --help, an abbreviated option, a value that
    starts with "-" or does not parse), which build_parser() then reads, and reports, as always. Where this returns
    options, build_parser() returns the same ones."""
    values: dict[str, object] = {"data_dir": None, "until": None, "retention": None, "new_per_day": None}
    i = 0
    while i < len(argv):
        option, equals, value = argv[i].partition("=")
        if option not in _APP_OPTIONS:
            return None
        if not equals:
            if i + 1 == len(argv) or argv[i + 1].startswith("-"):
                return None
            i += 1
            value = argv[i]
        dest, convert = _APP_OPTIONS[option]
        try:
            values[dest] = convert(value)
        except Exception:  # noqa: BLE001 - argparse will say what is wrong with it
            return None
        i += 1
    return SimpleNamespace(**values, run=_run_app)


def _run_check(args: argparse.Namespace) -> int:
    import json

    from tui.check import check_json, print_convention

    report = check_json(args.files, args.format)
    failed = any(entry["errors"] for entry in report["files"])
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 1 if failed else 0
    for entry in report["files"]:
        cards = entry["cards"]
        answered = sum(card["answered"] for card in cards)
        status = "error" if entry["errors"] else "ok"
        print(f"{entry['path']}: {status}, {len(cards)} cards ({answered} answered, {len(cards) - answered} unanswered)")
        for card in cards:
            state = "answered  " if card["answered"] else "unanswered"
            if "same_as" in card:
                state = f"same as {card['same_as']}".ljust(10)
            print(f"  {card['number']:>4}  {state}  line {card['line']:<5} {card['question']}")
        if "link" in entry:
            link = entry["link"]
            print(f"  part {link['part']} of the series: `quiz import` would link it to the built-in deck "
                  f"{link['deck']} (no second deck): {len(link['notes'])} answers become your notes, "
                  f"{len(link['unanswered'])} questions are answered by the built-in cards")
        elif "note" in entry:
            print(f"  note: {entry['note']}")
        print_convention(entry)
        for error in entry["errors"]:
            where = f"{entry['path']}:{error['line']}" if error["line"] is not None else entry["path"]
            print(f"{where}: {error['message']}")
    return 1 if failed else 0


def _run_import(args: argparse.Namespace) -> int:
    from tui.deck import DeckError
    from tui.linking import LinkResult, import_document

    folder = _data_dir(args)
    failed = False
    options = {"format": args.format} if args.format else {}
    for path in args.files:
        try:
            result, why = import_document(path, folder, replace=args.replace, **options)
        except DeckError as error:
            _error(str(error))
            failed = True
            continue
        if isinstance(result, LinkResult):
            _print_link(path, result)
            continue
        if why:
            print(f"{path}: note: {why}")
        deck = result.deck
        answered = sum(card.answered for card in deck.cards)
        summary = f"'{deck.name}' ({len(deck.cards)} cards, {answered} answered)"
        if result.action == "unchanged":
            print(f"{path}: already imported as {summary}, nothing changed")
            continue
        print(f"{path}: {result.action} {summary} -> {result.target}")
        if result.format != "series":
            print(f"  read as {result.format}")
        if result.note:
            print(f"  note: {result.note}")
        if deck.name != path.stem:
            print(f"  note: imported as '{deck.name}' because a built-in deck is named '{path.stem}'")
        if result.previous is not None:
            _print_changes(result.previous, deck)
    return 1 if failed else 0


def _print_link(path: Path, result) -> None:
    """What a linked import did (tui.linking.LinkResult)."""
    plan, deck = result.plan, result.plan.deck.name
    if result.action == "unchanged":
        print(f"{path}: already linked to {deck}, nothing changed")
    elif result.action == "linked":
        print(f"{path}: linked to {deck} ({plan.deck.title}), no second deck: {plan.summary()}")
    else:
        print(f"{path}: updated the link to {deck}: {plan.summary()}; review history kept")
        changes = result.changes
        for label, numbers in (("new notes", changes.added), ("changed notes", changes.updated),
                               ("notes removed", changes.cleared)):
            if numbers:
                print(f"  {label}: {', '.join(map(str, numbers))}")
        if not changes.any:
            print("  the answers are the same as before")
    if result.earlier_copy is not None:
        print(f"  note: an earlier import of this file is still a deck of its own ({result.earlier_copy}); its "
              "review history stays with it. Delete that file to keep only the linked cards.")


def _print_changes(previous, current) -> None:
    """Which questions an edited deck added or removed (review history is kept by card identity: the number, or for
    a document without numbers the question's words, so a reworded question is a new card)."""
    before = {card.key: card for card in previous.cards}
    after = {card.key: card for card in current.cards}
    added = [after[key] for key in after if key not in before]
    removed = [before[key] for key in before if key not in after]
    if added:
        print(f"  new questions: {_listing(added)}")
    if removed:
        print(f"  removed questions: {_listing(removed)} (their review history is kept)")
    from tui.formats.identity import is_text_ident

    if any(is_text_ident(key[1]) for key in after) and added and removed:
        print("  (a reworded question counts as a new card; reordering keeps every card's history)")


def _listing(cards) -> str:
    """Numbers for numbered cards, quoted questions for cards identified by their text."""
    if all(card.ident is None for card in cards):
        return ", ".join(str(card.number) for card in sorted(cards, key=lambda card: card.number))
    return "; ".join(f"{card.question!r} (line {card.line})" for card in cards)


def _run_decks(args: argparse.Namespace) -> int:
    from tui.library import deck_origin, is_builtin, load_decks, resolve_repeats
    from tui.linking import plan_link

    folder = _data_dir(args)
    decks, errors = load_decks(folder)
    errors = [*errors, *resolve_repeats(decks).problems]
    if not decks and not errors:
        print("no decks yet: import one with `quiz import FILE.md`")
    builtin = [deck for deck in decks if is_builtin(deck)]
    for deck in decks:
        answered = sum(card.answered for card in deck.cards)
        repeats = sum(card.is_repeat for card in deck.cards)
        count = f"{len(deck.cards)} cards ({answered} answered)" if not repeats else (
            f"{len(deck.cards)} questions ({len(deck.cards) - repeats} cards, {repeats} "
            f"repeat{'s' if repeats != 1 else ''})")
        hint = ""
        if not is_builtin(deck) and plan_link(deck, builtin)[0] is not None:
            hint = "  (a copy of a built-in part: `quiz import` its file again to link it instead)"
        convention = f"  read as {deck.format}" if deck.format != "series" else ""
        print(f"{deck.name}  {deck.title}  {count}  {deck_origin(deck, folder)}{convention}{hint}")
    for linked in _linked_documents(folder):
        print(f"{linked.origin}  {linked.title}  linked to {linked.deck} ({linked.answered} of {linked.questions} "
              f"questions answered: your notes)  linked {linked.linked_at.astimezone().strftime('%Y-%m-%d')}")
    for error in errors:
        _error(str(error))
    return 1 if errors else 0


def _linked_documents(folder: Path) -> list:
    """The documents linked to built-in decks (tui.notes.LinkedDocument); none if the store is unusable."""
    from tui.notes import linked_documents
    from tui.store import StoreError, open_store

    from tui.store_db import DB_FILENAME

    if not (folder / DB_FILENAME).exists():
        return []
    try:
        conn = open_store(folder)
    except StoreError as error:
        _error(f"{error} (linked documents not listed)")
        return []
    try:
        return linked_documents(conn)
    finally:
        conn.close()


def _run_export(args: argparse.Namespace) -> int:
    from tui.anki import export_apkg
    from tui.library import load_decks

    folder = _data_dir(args)
    decks, errors = load_decks(folder)
    for error in errors:
        _error(f"{error} (not exported)")
    if not decks:
        raise CliError("no decks to export")
    count = export_apkg(decks, args.anki, _own_answers(folder))
    print(f"wrote {count} notes from {len(decks)} decks to {args.anki}")
    return 0


def _own_answers(folder: Path) -> dict[tuple[str, int], str]:
    """The learner's own answers (exported for cards the source leaves unanswered); none if the store is unusable."""
    from tui.store import StoreError, open_store, user_answers

    try:
        conn = open_store(folder)
    except StoreError as error:
        _error(f"{error} (exporting without your own answers)")
        return {}
    try:
        return user_answers(conn)
    finally:
        conn.close()


def _run_mock(args: argparse.Namespace) -> int:
    return _run_app(args, mock=(args.minutes, args.drills))


def _run_app(args: argparse.Namespace, mock: tuple[float, int] | None = None) -> int:
    import gc

    gc.disable()  # start-up allocates what lives on; QuizApp.load freezes it and turns the collector back on
    try:
        from tui.app import create_app
        from tui.scheduling import StudyOptions

        chosen = {"desired_retention": args.retention, "new_per_day": args.new_per_day, "until": args.until}
        options = StudyOptions(**{key: value for key, value in chosen.items() if value is not None})
        app = create_app(_data_dir(args), options)
        app.mock_at_start = mock
        app.run()
    finally:
        gc.enable()
    return app.return_code or 0


def _data_dir(args: argparse.Namespace) -> Path:
    from tui.paths import data_dir

    try:
        return data_dir(args.data_dir)
    except OSError as error:
        raise CliError(f"cannot use the data directory: {error}") from None


def _describe(error: Exception) -> str:
    if isinstance(error, CliError) or type(error).__name__ == "DeckError":
        return str(error)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    text = str(error) or type(error).__name__
    if type(error).__name__ == "StoreError":
        return text
    return f"unexpected {type(error).__name__}: {text} (set {DEBUG_ENV}=1 for details)"


def _error(message: str) -> None:
    print(f"quiz: {message}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
