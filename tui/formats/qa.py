"""Q/A pairs in any markup: `Q:`/`A:`, `**Q:**`/`**A:**`, `*A:*`, `Question:`/`Answer:`, `问：`/`答：`, in bullets,
paragraphs or blockquotes (`> **答：** …`).

A question opens at a line that starts (after any list marker, checkbox, quote marker or emphasis) with a Q marker
and runs over the following lines until an A marker, a blank line, or a line ending its question mark. The answer
opens at the A marker (on the question's line too: `Q: what? A: this.`) and runs until the next Q marker or heading;
a question with no A marker takes what follows it up to the next question as its answer. Headings are topic
sections (tags). Numbers are the written ones (`Q3:`) when every question has one; otherwise the cards are
identified by their text.
"""

from __future__ import annotations

from tui.formats.build import RawCard, Reading, build, ends_at_break
from tui.formats.document import Document, opens_with, strip_container
from tui.formats.text import A_MARKER, INLINE_A_MARKER, Q_MARKER, clean_question, strip_invisible

NAME = "qa"


def read(doc: Document) -> Reading:
    """The Q/A reading of a document (see the module docstring)."""
    lines = doc.lines
    heading_starts = sorted(h.start for h in doc.headings)
    heading_set = set(heading_starts)
    questions = []  # [line, question lines, answer line or None, answer head, quoted, dedent]
    index = 0
    while index < len(lines):
        if index in doc.code_lines or not lines[index].strip():
            index += 1
            continue
        q = opens_with(lines[index], Q_MARKER)
        if q is None:
            index += 1
            continue
        text, _, _ = q
        head = None
        inline = INLINE_A_MARKER.search(text)
        if inline is not None and text[: inline.start()].strip():
            text, head = text[: inline.start()], text[inline.end() :]
        entry = [index, [text], None, head, False, 0]
        if head is not None:
            entry[2] = index
        index += 1
        while entry[2] is None and index < len(lines) and lines[index].strip() and index not in heading_set:
            if index in doc.code_lines or opens_with(lines[index], Q_MARKER) is not None:
                break
            a = opens_with(lines[index], A_MARKER)
            if a is not None:
                entry[2], entry[3], entry[4] = index, a[0], a[2]
                entry[5] = strip_container(lines[index])[1] if not a[2] else 0
                index += 1
                break
            if "".join(entry[1]).rstrip().endswith(("?", "？")):
                break
            entry[1].append(strip_container(lines[index])[0])
            index += 1
        if entry[2] is None:
            # The A marker may follow after a blank line.
            probe = index
            while probe < len(lines) and not lines[probe].strip():
                probe += 1
            a = opens_with(lines[probe], A_MARKER) if probe < len(lines) and probe not in doc.code_lines else None
            if a is not None:
                entry[2], entry[3], entry[4] = probe, a[0], a[2]
                entry[5] = strip_container(lines[probe])[1] if not a[2] else 0
                index = probe + 1
        questions.append(entry)
    raws = []
    for position, (line, texts, answer_line, head, quoted, dedent) in enumerate(questions):
        following = questions[position + 1][0] if position + 1 < len(questions) else len(lines)
        end = min([following] + [s for s in heading_starts if s > line])
        if position + 1 == len(questions):
            end = ends_at_break(doc, line, end)
        question = clean_question("\n".join(texts))
        written = Q_MARKER.match(strip_invisible(strip_container(lines[line])[0]).lstrip(" *_"))
        number_text = (written.group("number") or written.group("nth")) if written else None
        number = int(number_text) if number_text and number_text.isdigit() else None
        if answer_line is None:
            start, head_text = line + len(texts), None
        else:
            start, head_text = answer_line, head
        raws.append(RawCard(question, line, start, end, head=head_text, number=number, numbered=number is not None,
                            tags=doc.tags_above(line), marked=True, dedent=dedent, parent=doc.section_of(line),
                            unquote=quoted))
    answered = sum(1 for q in questions if q[2] is not None)
    evidence = f"{len(questions)} Q marker{'s' * (len(questions) != 1)} ({answered} with an A marker)"
    return build(doc, NAME, raws, title=doc.first_heading_title(), evidence=evidence)
