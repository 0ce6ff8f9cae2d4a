"""How often a publication date found a given way is the right day: the table behind ``date_confidence``.

A date's *evidence* is the cascade step that gave it and how the page's other dates relate to it, written
``step|agreement``: the step is ``jsonld``, ``meta``, ``meta:weak``, ``time-element``, ``jsonld:secondary``,
``url``, ``dateline``, ``htmldate`` or ``outlet``; the agreement is ``agreed`` (another independent source
gives the same day), ``near`` (the others are a day off), ``disputed`` (another is further off and none
agrees) or ``alone`` (no other source gives a day). The table maps each evidence to the share of pages
on which such a date was the exact day. It is fitted on pages with known dates (``python -m
crawler.devtools.evaluate --fit-date-table`` writes ``data/date_confidence.json``) and shipped as data. A cell with
few pages leans on its step's share, a step with few pages on the share over all pages:
share = (exact + WEIGHT · prior) / (pages + WEIGHT).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

DATA = Path(__file__).with_name("data") / "date_confidence.json"
WEIGHT = 4.0
AGREEMENTS = ("agreed", "near", "disputed", "alone")


def _share(exact: float, pages: float, prior: float) -> float:
    return (exact + WEIGHT * prior) / (pages + WEIGHT)


class DateTable:
    """Counts (exact, pages) by evidence; ``confidence(evidence)`` is the smoothed share of exact days."""

    def __init__(self, cells: Mapping[str, tuple[int, int]]):
        self.cells: Mapping[str, tuple[int, int]] = MappingProxyType(dict(cells))
        steps: dict[str, list[int]] = {}
        for evidence, (exact, pages) in self.cells.items():
            cell = steps.setdefault(evidence.split("|")[0], [0, 0])
            cell[0] += exact
            cell[1] += pages
        exact_all = sum(e for e, _ in self.cells.values())
        pages_all = sum(n for _, n in self.cells.values())
        self._overall = (exact_all + 1) / (pages_all + 2)
        self._steps = {s: _share(e, n, self._overall) for s, (e, n) in steps.items()}

    @classmethod
    def fit(cls, records: Iterable[tuple[str | None, bool]]) -> DateTable:
        """The table of (evidence, exact day?) records; records without evidence (no date) are left out."""
        cells: dict[str, list[int]] = {}
        for evidence, exact in records:
            if evidence:
                cell = cells.setdefault(evidence, [0, 0])
                cell[0] += bool(exact)
                cell[1] += 1
        return cls({k: (v[0], v[1]) for k, v in cells.items()})

    @classmethod
    def load(cls, path: Path = DATA) -> DateTable:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return cls({k: (v["exact"], v["pages"]) for k, v in doc["cells"].items()})

    def to_json(self) -> str:
        cells = {k: {"exact": e, "pages": n, "confidence": round(self.confidence(k), 3)}
                 for k, (e, n) in sorted(self.cells.items())}
        return json.dumps({"_about": "exact publication days by evidence (step|agreement) on pages with known "
                                     "dates; see crawler/extract/date_confidence.py", "weight": WEIGHT,
                           "cells": cells}, indent=1, ensure_ascii=False) + "\n"

    def confidence(self, evidence: str | None) -> float:
        """The share of exact days for this evidence (0.0 without a date)."""
        if not evidence:
            return 0.0
        step = evidence.split("|")[0]
        prior = self._steps.get(step, self._overall)
        exact, pages = self.cells.get(evidence, (0, 0))
        return round(_share(exact, pages, prior), 3)
