"""Anki's note HTML to Markdown (standard library html.parser): what an Anki field shows, as a card's Markdown.

`<br>` and `<div>` break lines, `<p>` paragraphs; `<b>`/`<strong>` -> `**`, `<i>`/`<em>` -> `*`, `<s>` -> `~~`,
`<code>` -> backticks, `<pre>` -> a fence, `<a href>` -> a link, `<img src>` -> an image, lists -> `-`/`1.` items,
headings -> bold lines, `<hr>` -> `---`, `<sub>`/`<sup>` kept as HTML; entities decoded (a literal `<` stays
`&lt;`, so it never reads as a tag), `&nbsp;` a space;
MathJax `\\(…\\)` -> `$…$` and `\\[…\\]` -> `$$…$$`; styles, spans and fonts dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_BREAK = {"p", "blockquote", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "s": "~~", "strike": "~~", "del": "~~", "code": "`"}
_KEEP = {"sub", "sup"}


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # [kind, counter]
        self.links: list[str | None] = []
        self.pre = 0
        self.skip = 0

    def _newline(self, count: int = 1) -> None:
        text = "".join(self.out)
        trailing = len(text) - len(text.rstrip("\n"))
        if text.strip() and trailing < count:
            self.out.append("\n" * (count - trailing))

    def handle_starttag(self, tag, attrs):
        """Markdown for an opening tag."""
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "div" or tag == "tr":
            self._newline(1)
        elif tag in _BLOCK_BREAK:
            self._newline(2)
            if tag in ("ul", "ol"):
                self.lists.append([tag, 0])
            elif tag.startswith("h"):
                self.out.append("**")
            elif tag == "blockquote":
                self.out.append("> ")
        elif tag == "li":
            self._newline(1)
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            indent = "  " * max(0, len(self.lists) - 1)
            self.out.append(f"{indent}{kind[1]}. " if kind[0] == "ol" else f"{indent}- ")
        elif tag in _INLINE and not self.pre:
            self.out.append(_INLINE[tag])
        elif tag in _KEEP:
            self.out.append(f"<{tag}>")
        elif tag == "pre":
            self._newline(2)
            self.out.append("```\n")
            self.pre += 1
        elif tag == "a":
            self.links.append(attributes.get("href"))
            self.out.append("[")
        elif tag == "img":
            self.out.append(f"![{attributes.get('alt') or ''}]({attributes.get('src') or ''})")
        elif tag == "hr":
            self._newline(2)
            self.out.append("---\n\n")
        elif tag in ("td", "th"):
            self.out.append(" | " if not "".join(self.out).endswith("\n") and self.out else "")

    def handle_endtag(self, tag):
        """Markdown for a closing tag."""
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("div", "tr", "li"):
            self._newline(1)
        elif tag in _BLOCK_BREAK:
            if tag.startswith("h"):
                self.out.append("**")
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self._newline(2)
        elif tag in _INLINE and not self.pre:
            self.out.append(_INLINE[tag])
        elif tag in _KEEP:
            self.out.append(f"</{tag}>")
        elif tag == "pre":
            self._newline(1)
            self.out.append("```\n\n")
            self.pre = max(0, self.pre - 1)
        elif tag == "a":
            href = self.links.pop() if self.links else None
            self.out.append(f"]({href})" if href else "]")

    def handle_data(self, data):
        """Text: whitespace collapsed (kept inside <pre>), `<` kept from reading as a tag."""
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"[ \t\r\n]+", " ", data).replace("<", "&lt;")
        self.out.append(data.replace("\xa0", " "))


def html_to_markdown(html: str) -> str:
    """The Markdown of an Anki field's HTML (see the module docstring)."""
    if not html:
        return ""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out)
    text = re.sub(r"\\\((.+?)\\\)", lambda m: f"${m.group(1).strip()}$", text, flags=re.DOTALL)
    text = re.sub(r"\\\[(.+?)\\\]", lambda m: f"$${m.group(1).strip()}$$", text, flags=re.DOTALL)
    text = re.sub(r"\*\*(\s*)\*\*", r"\1", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def looks_like_html(text: str) -> bool:
    """Whether a field holds Anki's HTML (a tag Anki's editor writes, or an entity)."""
    return bool(re.search(r"<(?:br|div|p|b|i|u|span|font|img|strong|em|ul|ol|li|sub|sup|a)\b[^>]*>|&(?:nbsp|amp|lt|gt"
                          r"|quot|#\d+);", text, re.IGNORECASE))
