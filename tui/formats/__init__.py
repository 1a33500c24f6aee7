"""The conventions a question document may be written in, one reader per module, and the detector that picks one.

    series      tui/formats/series_style.py   the series' numbered style (the built-in decks)
    headings    tui/formats/headings.py       headings as questions, topic headings as tags
    qa          tui/formats/qa.py             Q:/A: pairs in any markup
    obsidian    tui/formats/obsidian.py       Obsidian Spaced Repetition cards and clozes
    details     tui/formats/details.py        <details> and blockquote answers
    bold        tui/formats/bold.py           bold-line questions and bold list items
    anki-text   tui/formats/anki_text.py      Anki's plain-text export
    apkg        tui/formats/apkg.py           Anki packages

Pure: text (or bytes) in, deck out; no textual, no torch. tui/formats/detect.py says how a convention is chosen.
"""

from tui.formats.detect import DESCRIPTIONS, FORMATS, PRIORITY, Analysis, Candidate, analyze
from tui.formats.source import analyze_bytes, analyze_path, decode_document

__all__ = ["DESCRIPTIONS", "FORMATS", "PRIORITY", "Analysis", "Candidate", "analyze", "analyze_bytes",
           "analyze_path", "decode_document"]
