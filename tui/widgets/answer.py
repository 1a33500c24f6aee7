"""AnswerView: an answer's Markdown with math as Unicode, CJK unwrapped and code highlighted."""

from __future__ import annotations

from textual.containers import Vertical


class AnswerView(Vertical):
    """Shows Markdown; the Markdown widget is only imported and mounted the first time something is shown."""

    DEFAULT_CSS = """
    AnswerView {
        height: auto;
    }
    AnswerView > Markdown {
        margin: 0;
        padding: 0;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._markdown = None
        self.source = ""

    async def show(self, markdown: str) -> None:
        """Render this Markdown (it is prepared with tui.render.prepare_markdown first)."""
        from textual.widgets import Markdown

        from tui.render import prepare_markdown

        self.source = markdown
        prepared = prepare_markdown(markdown)
        if self._markdown is None:
            self._markdown = Markdown(prepared, open_links=False)
            await self.mount(self._markdown)
        else:
            await self._markdown.update(prepared)

    @property
    def text(self) -> str:
        """The Markdown as rendered (after math and CJK preparation)."""
        from tui.render import prepare_markdown  # with the Markdown widget: on the first answer, not the question

        return prepare_markdown(self.source)
