"""Writes the .apkg documents of this corpus with genanki (run from the repository root:
`.venv/bin/python tests/corpus/formats/apkg/make_packages.py`). The packages are committed; this script says how
they were made. Fixed ids and guids keep the cards' identities the ones the expected files name."""

from __future__ import annotations

from pathlib import Path

import genanki

HERE = Path(__file__).resolve().parent

BASIC_AND_REVERSED = genanki.Model(
    1607392319, "Basic (and reversed card)",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"},
        {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}"},
    ],
)
CLOZE = genanki.Model(
    998877661, "Cloze", model_type=genanki.Model.CLOZE,
    fields=[{"name": "Text"}, {"name": "Back Extra"}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}],
)


def main() -> None:
    deck = genanki.Deck(2059400110, "PyTorch::Basics")
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["What is a <b>leaf</b> tensor?",
                                                    "A tensor created by the user, not by an operation."],
                               guid="leafGuid01", tags=["autograd"]))
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["Why is <code>.item()</code> slow in a loop?",
                                                    "<div>It synchronizes with the GPU</div><div>on every call.</div>"],
                               guid="itemGuid02"))
    deck.add_note(genanki.Note(BASIC_AND_REVERSED, ["nn.Module", "the base class of every layer and model"],
                               guid="moduleGuid3"))
    deck.add_note(genanki.Note(CLOZE, ["{{c1::AdamW}} decouples {{c2::weight decay}} from the gradient step.",
                                       "Loshchilov &amp; Hutter"], guid="clozeGuid04"))
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["What does &lt;pin_memory&gt; do?", ""], guid="pinGuid005"))
    genanki.Package(deck).write_to_file(str(HERE / "pytorch_basics.apkg"))


if __name__ == "__main__":
    main()
