"""Documents as bytes: UTF-8 decoding with clear errors, and Anki packages recognised before any decoding."""

from __future__ import annotations

import re
from pathlib import Path

from tui.cards import DeckError, Problem
from tui.formats import apkg
from tui.formats.detect import DESCRIPTIONS, Analysis, analyze, unknown_format, FORMATS
from tui.formats.document import deck_name

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_document(data: bytes, source: str) -> str:
    """Bytes -> text as UTF-8 (with or without BOM); DeckError at the line of the first undecodable byte."""
    if data.startswith(_UTF16_BOMS):
        raise DeckError(source, 1, "the file is UTF-16; save it as UTF-8")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(re.split(rb"\r\n|\r|\n", body[: error.start]))
        byte = body[error.start]
        raise DeckError(source, line, f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8") from None


def analyze_bytes(data: bytes, source: str, name: str | None = None, format: str | None = None) -> Analysis:
    """The analysis of a document given as bytes: an Anki package is read as one, anything else decoded as UTF-8
    and analysed as text; decoding problems become the analysis' problems."""
    if format is not None and format not in FORMATS:
        return Analysis(None, (unknown_format(format),))
    if apkg.is_package(data):
        if format not in (None, "apkg"):
            return Analysis(None, (Problem(None, f"this is an Anki package (.apkg), not {format}; import it "
                                                 "without --format or with --format apkg"),))
        reading = apkg.read(data, source, deck_name(source, name))
        why = f"{DESCRIPTIONS['apkg']}: {reading.evidence}" if reading.evidence else DESCRIPTIONS["apkg"]
        return Analysis(reading.deck, reading.problems, "apkg", why, (), reading.skipped, reading.notes)
    if format == "apkg":
        return Analysis(None, (Problem(None, "not an Anki package (.apkg is a zip archive)"),))
    try:
        text = decode_document(data, source)
    except DeckError as error:
        return Analysis(None, (Problem(error.line, error.message),))
    return analyze(text, source, name, format)


def analyze_path(path: Path, format: str | None = None, name: str | None = None) -> Analysis:
    """The analysis of a file; a file that cannot be read is a problem, not an exception."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Analysis(None, (Problem(None, "no such file"),))
    except IsADirectoryError:
        return Analysis(None, (Problem(None, "is a directory, not a Markdown file"),))
    except OSError as error:
        return Analysis(None, (Problem(None, f"cannot read the file: {error.strerror or error}"),))
    return analyze_bytes(data, str(path), name or path.stem, format)
