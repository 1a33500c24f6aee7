"""StatsScreen: true retention, a calendar heatmap of reviews (cards and drills), reviews per day, the 30-day due
forecast, per-task drill numbers (recall, time against par, the trend of the time to pass) and per-topic numbers."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui import drills, store, store_drills
from tui.drill_stats import FASTER, SLOWER, TaskDrillStats, drill_task_stats, sparkline
from tui.cell_text import percent, truncate_cells
from tui.study_calendar import review_heatmap
from tui.widgets.bars import BarChart
from tui.widgets.heatmap import LABEL_WIDTH, HeatmapView
from tui.widgets.key_footer import KeyFooter
from tui.widgets.title_bar import TitleBar
from tui.screens import screen_css

HISTORY_DAYS = 30
FORECAST_DAYS = 30
MAX_WEEKS = 53
SIDE_WIDTH = 38  # the two bar charts beside the heatmap (30 days, the count labels, a gap)
TREND_STYLES = {FASTER: "green", SLOWER: "yellow"}


def heatmap_weeks(width: int) -> int:
    """How many weeks of heatmap fit beside the bar charts on a screen `width` cells wide (4 to 53)."""
    room = width - 4 - 2 - SIDE_WIDTH - 3 - LABEL_WIDTH  # padding, scrollbar, the charts, the heatmap's margin
    return max(4, min(MAX_WEEKS, room // 2))


class StatsScreen(Screen):
    """Numbers computed by tui.stats and tui.drill_stats from the review and drill logs when the screen opens."""

    DEFAULT_CSS = screen_css("stats.tcss")
    SCOPED_CSS = False

    BINDINGS = [Binding("escape,q,s", "back", "Home"), Binding("r", "reload", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self._drill_rows: list = []
        self._width = 0  # the screen width the numbers were last laid out for

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="stats-scroll"):
            yield Static(id="stats-summary", classes="stats-block")
            with Horizontal(id="stats-charts"):
                yield HeatmapView(id="heatmap")
                with Vertical(id="stats-bars"):
                    yield BarChart(f"Reviews per day, {HISTORY_DAYS} days", height=3, color="cyan", id="history")
                    yield BarChart(f"Due forecast, {FORECAST_DAYS} days", height=3, color="magenta", id="forecast")
            yield Static(id="stats-drills", classes="stats-block")
            yield Static(id="stats-topics", classes="stats-block")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Statistics"
        self.action_reload()
        self.query_one("#stats-scroll").focus()

    def on_resize(self) -> None:
        if self._width and self.app.size.width != self._width:  # the heatmap's weeks and the tables' widths follow
            self.action_reload()

    def action_reload(self) -> None:
        """Recompute every number from the store."""
        from tui.stats import due_forecast, per_topic, reviews_per_day, true_retention
        from tui.study_calendar import study_days

        app = self.app
        self._width = app.size.width
        now = app.clock()
        today = now.date()
        rows = store.reviews(app.conn)
        self._drill_rows = store_drills.drill_reviews(app.conn)
        states = store.card_states(app.conn)
        keys = {card.key for card in app.cards}
        states = {key: state for key, state in states.items() if key in keys}
        retention = true_retention(rows)
        mature = sum(1 for row in rows if row.state_before == 2)
        today_count = sum(1 for row in rows if row.reviewed_at.astimezone(app.tz).date() == today)
        days = study_days([*rows, *self._drill_rows], today, app.tz)
        summary = Text()
        summary.append("True retention ", style="bold")
        summary.append(percent(retention), style="bold green" if retention and retention >= 0.85 else "bold yellow")
        summary.append(f"  (of {mature} reviews of graduated cards)\n", style="dim")
        drills_today = sum(1 for row in self._drill_rows if row.reviewed_at.astimezone(app.tz).date() == today)
        summary.append(f"Reviews: {len(rows)} in all, {today_count} today · drills: {len(self._drill_rows)} in all, "
                       f"{drills_today} today · {len(states)} of {len(app.cards)} cards seen\n")
        summary.append(f"Studied {days.days} day{_s(days.days)} in all · "
                       f"streak {days.current} days, longest {days.longest}")
        self.query_one("#stats-summary", Static).update(summary)
        self._show_heatmap(rows, today)
        history = reviews_per_day([*rows, *self._drill_rows], HISTORY_DAYS, today, app.tz)
        self.query_one("#history", BarChart).series = tuple(history)
        self.query_one("#forecast", BarChart).series = tuple(due_forecast(states, today, FORECAST_DAYS, app.tz))
        self.query_one("#stats-drills", Static).update(self._drill_block(now))
        self.query_one("#stats-topics", Static).update(self._topic_table(per_topic(app.cards, states, rows, now)))

    def _show_heatmap(self, rows, today) -> None:
        weeks = heatmap_weeks(self.app.size.width)
        heatmap = review_heatmap(rows, self._drill_rows, weeks, today, self.app.tz)
        view = self.query_one("#heatmap", HeatmapView)
        total, days = heatmap.total, heatmap.days_studied
        view.title = (f"Last {weeks} weeks: {total} review{_s(total)} on {days} day{_s(days)}" if total
                      else f"Last {weeks} weeks: no reviews yet")
        view.heatmap = heatmap

    def _drill_block(self, now) -> Table | Text:
        app = self.app
        enrolled = store_drills.drill_tasks(app.conn)
        tasks = drill_task_stats(drills.drill_items(), self._drill_rows, store_drills.drill_states(app.conn), now,
                                 app.options)
        if not tasks:
            text = Text("Drills per task", style="bold")
            if enrolled:
                text.append(f"\n{len(enrolled)} task{'s are' if len(enrolled) != 1 else ' is a'} "
                            f"drill{'s' if len(enrolled) != 1 else ''}, none drilled yet: "
                            "`grade drill --due` lists the due ones.", style="not bold")
            else:
                text.append("\nNo drills yet: a task becomes a drill the first time it passes "
                            "(`grade exercise N`).", style="not bold")
            return text
        return self._drill_table(tasks, len(enrolled))

    def _drill_table(self, tasks: list[TaskDrillStats], enrolled: int) -> Table:
        done = sum(task.drills for task in tasks)
        recalled = sum(task.recalled for task in tasks)
        spark = 10 if self.size.width >= 100 else 6
        width = max(8, self.size.width - 66 - spark)  # what the other columns, the padding and the scrollbar leave
        table = Table(title=f"Drills per task: {done} drills of {len(tasks)} tasks ({enrolled} enrolled), "
                            f"{percent(recalled / done)} recalled",
                      title_justify="left", title_style="bold", expand=False, box=None, header_style="bold",
                      pad_edge=False)
        table.add_column("Task", justify="right", no_wrap=True)
        table.add_column("Title", no_wrap=True, max_width=width)
        for name in ("Drills", "Recalled", "Recall now", "Last/par"):
            table.add_column(name, justify="right", no_wrap=True)
        table.add_column("Trend", no_wrap=True)
        for task in tasks:
            table.add_row(task.task_id, truncate_cells(task.title, width), str(task.drills),
                          percent(task.recalled_share), percent(task.recall_now), _last_vs_par(task),
                          _trend(task, spark))
        return table

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


def _last_vs_par(task: TaskDrillStats) -> Text:
    par = "—" if task.par_seconds is None else drills.clock(task.par_seconds)
    took = drills.clock(task.last_seconds)
    if not task.last_passed:
        return Text(f"✗ {took}/{par}", style="red")
    within = task.par_seconds is not None and task.last_seconds <= task.par_seconds
    return Text(f"{took}/{par}", style="green" if within else "yellow")


def _trend(task: TaskDrillStats, width: int) -> Text:
    if not task.pass_seconds:
        return Text("no pass", style="dim")
    text = Text(sparkline(task.pass_seconds, width), style="cyan")
    if task.trend is not None:
        text.append(f" {task.trend}", style=TREND_STYLES.get(task.trend, "dim"))
    return text


def _s(count: int) -> str:
    return "" if count == 1 else "s"
