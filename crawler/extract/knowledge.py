"""What the extractor knows about particular publishers, in one frozen object it is handed explicitly.

Every fact keyed by a publisher's host lives here: which of its headlines a publisher calls the title
(``headline_sources``) and the per-outlet layout rules (``outlets``); and so does the one table fitted on
pages, the date-confidence table (``date_confidence``). ``shipped()`` is the set shipped with the package;
``without(domains)`` returns the same knowledge less every fact about those registered domains, so a caller
can read pages as if their publishers were unknown (``python -m crawler.devtools.evaluate`` scores held-out
publishers this way, with a date table fitted on other publishers' pages: ``with_date_table``). The
extraction code never consults a module-level table directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from .date_confidence import DateTable
from .headline_sources import HeadlineSources
from .outlets import RULES, OutletRule, find_rule, rules_without


@dataclass(frozen=True, eq=False)
class Knowledge:
    headlines: HeadlineSources
    outlet_rules: tuple[OutletRule, ...]
    date_table: DateTable

    def without(self, domains: Iterable[str]) -> Knowledge:
        """This knowledge less every fact keyed by a host of these registered domains."""
        drop = frozenset(domains)
        return replace(self, headlines=self.headlines.without(drop),
                       outlet_rules=rules_without(self.outlet_rules, drop))

    def with_date_table(self, table: DateTable) -> Knowledge:
        return replace(self, date_table=table)

    def date_confidence_of(self, evidence: str | None) -> float:
        """The confidence of a date with this evidence (``DateResult.evidence``), without event-day factors."""
        return self.date_table.confidence(evidence)

    def headline_order(self, url: str | None, day: date | None = None) -> tuple[str, ...]:
        return self.headlines.order(url, day)

    def outlet_rule(self, url: str | None) -> OutletRule | None:
        return find_rule(url, self.outlet_rules)


@cache
def shipped() -> Knowledge:
    """The knowledge shipped with the package (``data/`` and the outlet rules), loaded once."""
    return Knowledge(headlines=HeadlineSources.load(), outlet_rules=RULES, date_table=DateTable.load())


NO_KNOWLEDGE = Knowledge(headlines=HeadlineSources({}), outlet_rules=(), date_table=DateTable({}))
