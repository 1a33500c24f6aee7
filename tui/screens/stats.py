"""StatsScreen: reviews per day, true retention, the 30-day due forecast and per-topic numbers."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from tui import store
from tui.render import percent, truncate_cells
from tui.widgets.bars import BarChart
from tui.widgets.key_footer import KeyFooter

HISTORY_DAYS = 30
FORECAST_DAYS = 30


class StatsScreen(Screen):
    """Numbers computed by tui.stats from the review log and card states when the screen opens."""

    BINDINGS = [Binding("escape,q,s", "back", "Home"), Binding("r", "reload", "Refresh")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats-scroll"):
            yield Static(id="stats-summary", classes="stats-block")
            yield BarChart(f"Reviews per day, last {HISTORY_DAYS} days", height=5, color="cyan", id="history")
            yield BarChart(f"Due forecast, next {FORECAST_DAYS} days", height=5, color="magenta", id="forecast")
            yield Static(id="stats-topics", classes="stats-block")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Statistics"
        self.action_reload()
        self.query_one("#stats-scroll").focus()

    def action_reload(self) -> None:
        """Recompute every number from the store."""
        from tui.stats import due_forecast, per_topic, reviews_per_day, study_streak, true_retention

        app = self.app
        now = app.clock()
        today = now.date()
        rows = store.reviews(app.conn)
        states = store.card_states(app.conn)
        keys = {card.key for card in app.cards}
        states = {key: state for key, state in states.items() if key in keys}
        retention = true_retention(rows)
        mature = sum(1 for row in rows if row.state_before == 2)
        today_count = sum(1 for row in rows if row.reviewed_at.astimezone(app.tz).date() == today)
        summary = Text()
        summary.append("True retention ", style="bold")
        summary.append(percent(retention), style="bold green" if retention and retention >= 0.85 else "bold yellow")
        summary.append(f"  (of {mature} reviews of graduated cards)\n", style="dim")
        summary.append(f"Reviews: {len(rows)} in all, {today_count} today · "
                       f"streak {study_streak(rows, today, app.tz)} days · "
                       f"{len(states)} of {len(app.cards)} cards seen")
        self.query_one("#stats-summary", Static).update(summary)
        self.query_one("#history", BarChart).series = tuple(reviews_per_day(rows, HISTORY_DAYS, today, app.tz))
        self.query_one("#forecast", BarChart).series = tuple(due_forecast(states, today, FORECAST_DAYS, app.tz))
        self.query_one("#stats-topics", Static).update(self._topic_table(per_topic(app.cards, states, rows, now)))

    def _topic_table(self, topics) -> Table:
        questions = {}
        for card in self.app.cards:
            questions.setdefault(card.topic, card.question)
        width = max(16, self.size.width - 52)
        table = Table(title="Per topic", title_justify="left", title_style="bold", expand=False, box=None,
                      header_style="bold", pad_edge=False)
        table.add_column("Topic", justify="right")
        table.add_column("Question", no_wrap=True, max_width=width)
        for name in ("New", "Due", "Learned", "Reviews", "Retention"):
            table.add_column(name, justify="right")
        for topic, stats in sorted(topics.items()):
            table.add_row(str(topic), truncate_cells(questions.get(topic, ""), width), str(stats.new), str(stats.due),
                          str(stats.learned), str(stats.reviews), percent(stats.retention))
        return table

    def action_back(self) -> None:
        self.app.pop_screen()
