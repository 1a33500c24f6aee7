"""The study calendar: reviews of cards and drills per calendar day, as a heatmap of whole weeks and as streaks.

Pure functions over review-log rows (tui.store.ReviewRow, tui.store_drills.DrillReviewRow). Days are calendar days in
`tz` (None = the local time zone); undone reviews never count. Apart from tui.stats because only the stats screen
draws them: the home screen, which uses tui.stats while it is first drawn, does not build these classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from tui.stats import Dated, day_of, reviews_by_day

LEVELS = 4  # intensity levels of a day with reviews: 1..LEVELS (0 = no review)


@dataclass(frozen=True)
class HeatCell:
    """One day of the heatmap: card reviews and drills counted that day, and its intensity level 0..4."""

    day: date
    cards: int
    drills: int
    level: int

    @property
    def count(self) -> int:
        """Reviews of any kind that day."""
        return self.cards + self.drills


@dataclass(frozen=True)
class Heatmap:
    """Reviews per day as whole weeks, oldest first; each week is Monday..Sunday, None for days after `today`.

    Levels are fixed fractions of the busiest day of the window (quarters, as GitHub's contribution graph):
    a day with n > 0 reviews has level ceil(4 n / busiest), so the busiest day is 4 and any day with a review is >= 1.
    """

    weeks: tuple[tuple[HeatCell | None, ...], ...]
    busiest: int

    def cells(self) -> list[HeatCell]:
        """Every day of the window, oldest first."""
        return [cell for week in self.weeks for cell in week if cell is not None]

    @property
    def first(self) -> date:
        """The window's first day (a Monday)."""
        return self.weeks[0][0].day  # type: ignore[union-attr]  # the first week always starts in the window

    @property
    def last(self) -> date:
        """The window's last day (today)."""
        return self.cells()[-1].day

    @property
    def total(self) -> int:
        """Reviews (cards and drills) in the window."""
        return sum(cell.count for cell in self.cells())

    @property
    def days_studied(self) -> int:
        """Days of the window with at least one review."""
        return sum(1 for cell in self.cells() if cell.count)

    def level_ranges(self) -> dict[int, tuple[int, int]]:
        """For each level 1..4 that some count can reach, the (lowest, highest) number of reviews it stands for."""
        ranges = {}
        for level in range(1, LEVELS + 1):
            low, high = (level - 1) * self.busiest // LEVELS + 1, level * self.busiest // LEVELS
            if low <= high:
                ranges[level] = (low, high)
        return ranges


def heat_level(count: int, busiest: int) -> int:
    """The intensity level 0..4 of a day with `count` reviews when the busiest day had `busiest` (see Heatmap)."""
    if count <= 0 or busiest <= 0:
        return 0
    return min(LEVELS, -(-LEVELS * count // busiest))


def review_heatmap(
    cards: Iterable[Dated],
    drills: Iterable[Dated] = (),
    weeks: int = 26,
    today: date | None = None,
    tz: tzinfo | None = None,
) -> Heatmap:
    """Return the heatmap of the `weeks` calendar weeks (Monday first) up to the one holding `today` (default: today).

    Card reviews and drills are counted per calendar day in `tz` (None = local); undone ones and any after `today`
    are left out.
    """
    if weeks < 1:
        raise ValueError(f"a heatmap needs at least one week, got {weeks}")
    today = today or day_of(datetime.now(timezone.utc), tz)
    card_days, drill_days = reviews_by_day(cards, tz), reviews_by_day(drills, tz)
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    busiest = max((card_days[day] + drill_days[day] for day in days), default=0)
    cells: list[HeatCell | None] = [
        HeatCell(day, card_days[day], drill_days[day], heat_level(card_days[day] + drill_days[day], busiest))
        for day in days
    ]
    cells += [None] * (7 * weeks - len(cells))
    return Heatmap(tuple(tuple(cells[i:i + 7]) for i in range(0, 7 * weeks, 7)), busiest)


@dataclass(frozen=True)
class StudyDays:
    """The current streak (days in a row up to today, or up to yesterday before today's first review), the longest
    streak ever and the number of days with any review."""

    current: int
    longest: int
    days: int


def study_days(rows: Iterable[Dated], today: date, tz: tzinfo | None = None) -> StudyDays:
    """Return the streaks and days studied of these reviews (cards and drills alike; undone ones and days after
    `today` do not count)."""
    days = sorted(day for day in reviews_by_day(rows, tz) if day <= today)
    longest = run = 0
    for i, day in enumerate(days):
        run = run + 1 if i and days[i - 1] == day - timedelta(days=1) else 1
        longest = max(longest, run)
    studied = set(days)
    day = today if today in studied else today - timedelta(days=1)
    current = 0
    while day in studied:
        current += 1
        day -= timedelta(days=1)
    return StudyDays(current=current, longest=longest, days=len(days))
