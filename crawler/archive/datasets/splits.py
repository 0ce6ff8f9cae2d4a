"""Chronological dataset splits: ``train=0.8,validation=0.1,test=0.1`` cut at day boundaries (pure).

Days are taken in date order and each split gets whole days until its share of the events is reached (the cut
falls on the day boundary nearest the target), so no day is in two splits and every later split is later in
time, as WCEP's splits were made.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class SplitError(ValueError):
    """A split specification that cannot be used (one-line message)."""


@dataclass
class Split:
    name: str
    fraction: float
    first_day: str | None = None
    last_day: str | None = None
    events: int = 0
    days: int = 0


def parse_splits(spec: str | None) -> list[Split]:
    """``name=fraction,…`` (fractions > 0 summing to 1) → splits in order; None or '' → one ``train`` split."""
    if not spec:
        return [Split("train", 1.0)]
    out = []
    for part in spec.split(","):
        name, sep, value = part.strip().partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise SplitError(f"expected NAME=FRACTION with a name of letters, digits and _, got {part.strip()!r}")
        try:
            fraction = float(value)
        except ValueError:
            raise SplitError(f"{name}: {value.strip()!r} is not a number") from None
        if not 0 < fraction <= 1:
            raise SplitError(f"{name}: the fraction must be above 0 and at most 1, got {value.strip()}")
        if any(s.name == name for s in out):
            raise SplitError(f"split {name!r} is named twice")
        out.append(Split(name, fraction))
    total = sum(s.fraction for s in out)
    if abs(total - 1) > 1e-6:
        raise SplitError(f"the fractions add up to {total:g}, not 1")
    return out


def cut_by_day(day_counts: list[tuple[str, int]], splits: list[Split]) -> list[Split]:
    """Give each split its days (``day_counts``: (day, events) in date order); fills first/last day and counts.

    A split's cut is the day boundary nearest its cumulative target; each split keeps at least one day while days
    remain for the splits after it.
    """
    total = sum(n for _, n in day_counts)
    cum, bounds = 0, [0]  # bounds: index of each split's first day
    prefix = [0]
    for _, n in day_counts:
        cum += n
        prefix.append(cum)
    target = 0.0
    for k, split in enumerate(splits[:-1]):
        target += split.fraction * total
        i = bisect.bisect_left(prefix, target)  # first boundary at or past the target
        if i > 0 and target - prefix[i - 1] < prefix[min(i, len(prefix) - 1)] - target:
            i -= 1
        later = len(splits) - 1 - k  # splits after this one, each wanting a day
        i = max(bounds[-1] + 1, min(i, len(day_counts) - later))
        bounds.append(min(i, len(day_counts)))
    bounds.append(len(day_counts))
    for split, lo, hi in zip(splits, bounds, bounds[1:]):
        days = day_counts[lo:hi]
        split.days, split.events = len(days), sum(n for _, n in days)
        split.first_day, split.last_day = (days[0][0], days[-1][0]) if days else (None, None)
    return splits


def split_finder(splits: list[Split]):
    """A function day → the name of the split holding it (after ``cut_by_day``)."""
    held = [s for s in splits if s.first_day]
    firsts = [s.first_day for s in held]

    def find(day: str) -> str:
        i = bisect.bisect_right(firsts, day) - 1
        return held[max(i, 0)].name

    return find
