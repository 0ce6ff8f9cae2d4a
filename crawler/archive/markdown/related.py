"""Related events of an event page: others sharing an entity, most shared first, then page path descending.
Entities are canonical (``crawler.storage.events``): links to two spellings or a redirect of one page share it.

An exact, indexed lookup that stays fast with very common entities; see ``Related``.
"""

from __future__ import annotations

import heapq
from collections import Counter, OrderedDict
from itertools import combinations

import sqlite_utils

from crawler.archive.markdown.slug import SlugCache, event_path
from crawler.storage.events import entity_events

MAX_RELATED = 10
BIG_ENTITY = 100  # entities linked by more events get their events cached, newest first (see _Related)
MAX_BIG = 4  # at most this many big entities of one event are walked (the others are counted in full)
CACHE_ENTRIES = 2_000_000  # (entity, event) pairs kept in memory between days

# Page paths compare as strings: "/news/2017/01/9/…" > "/news/2017/01/10/…". The date part as an int key:
_DAY_STRINGS = sorted(str(d) for d in range(1, 32))
_DAY_RANK = {int(d): i for i, d in enumerate(_DAY_STRINGS)}


def path_key(day: str) -> int:
    """An int ordered like the date part of the page path of ``day`` (``YYYY-MM-DD``)."""
    return (int(day[:4]) * 13 + int(day[5:7])) * 32 + _DAY_RANK[int(day[8:10])]


_ROWID_MASK = (1 << 40) - 1


def _key_day(key: int) -> str:
    ym, rank = divmod(key, 32)
    return f"{ym // 13:04d}-{ym % 13:02d}-{int(_DAY_STRINGS[rank]):02d}"


class Related:
    """Related events over the entity index: exact, and fast with very common entities ("United States").

    Each entity's events (``events.rowid``) are read once per render, one set-based query per day, and kept
    as sets (LRU, ``CACHE_ENTRIES``). Events in the sets of the page's entities linked by at most
    ``BIG_ENTITY`` events are counted in full. Events found only in *big* entities' sets are taken by the
    exact subset of big entities they share (count = its size), walking that subset's intersection from the
    newest path down to the cut. Ties on count and date part of the path are broken by the slug.
    """

    def __init__(self, db: sqlite_utils.Database, slugs: SlugCache, limit: int = MAX_RELATED):
        self.db, self.slugs, self.big, self.limit = db, slugs, BIG_ENTITY, limit
        self.post: OrderedDict[int, frozenset[int]] = OrderedDict()
        self.newest: OrderedDict[frozenset[int], list[int]] = OrderedDict()
        self.newest_size = 0
        self.key_of: dict[int, int] = {}  # rowid → path key
        self.size = 0

    def _load(self, entities: set[int]) -> dict[int, frozenset[int]]:
        todo = sorted(e for e in entities if e not in self.post)
        found: dict[int, list[int]] = {e: [] for e in todo}
        keys: dict[str, int] = {}
        for entity, rowid, day in entity_events(self.db, todo):
            found[entity].append(rowid)
            self.key_of[rowid] = keys.get(day) or keys.setdefault(day, path_key(day))
        for e, rowids in found.items():
            self.post[e] = frozenset(rowids)
            self.size += len(rowids)
        got = {e: self.post[e] for e in entities}
        for e in entities:
            self.post.move_to_end(e)
        while self.size > CACHE_ENTRIES and len(self.post) > len(entities):
            e, rowids = self.post.popitem(last=False)
            self.size -= len(rowids)
        return got

    def _newest(self, subset: tuple[int, ...], post: dict) -> list[int]:
        """``[path key << 40 | rowid]`` of the events linking all entities of ``subset``, newest first."""
        key = frozenset(subset)
        if key in self.newest:
            self.newest.move_to_end(key)
            return self.newest[key]
        rowids = frozenset.intersection(*(post[e] for e in subset))
        self.newest[key] = found = sorted((self.key_of[r] << 40 | r for r in rowids), reverse=True)
        self.newest_size += len(found)
        while self.newest_size > CACHE_ENTRIES // 4 and len(self.newest) > 1:
            self.newest_size -= len(self.newest.popitem(last=False)[1])
        return found

    def for_day(self, ents: dict[int, list[int]]) -> dict[int, list[tuple[int, str, str, list[int]]]]:
        """``{rowid: [(shared count, path, Markdown of the text, shared entity ids), …]}`` (best first)."""
        post = self._load({e for es in ents.values() for e in es})
        return {src: self._rank(src, es, post) for src, es in ents.items()}

    def _rank(self, src: int, entities: list[int], post: dict) -> list[tuple[int, str, str, list[int]]]:
        bigs = sorted((e for e in entities if len(post[e]) > self.big), key=lambda e: len(post[e]))[-MAX_BIG:]
        count: Counter[int] = Counter()  # events in a small entity's set: counted in full
        for e in entities:
            if e not in bigs:
                count.update(post[e])
        found = set(count)
        for e in bigs:
            count.update(found & post[e])
        count.pop(src, None)
        key_of = self.key_of
        items = heapq.nlargest(self.limit, zip(count.values(), map(key_of.__getitem__, count), count))
        if len(items) == self.limit:  # with the whole tie group at the cut
            n0, k0 = items[-1][:2]
            items = list({*items, *((n, k0, r) for r, n in count.items() if n == n0 and key_of[r] == k0)})
        for size in range(len(bigs), 0, -1):  # events in big sets only, by the exact subset they share
            if sum(it[0] > size for it in items) >= self.limit:
                break
            for subset in combinations(bigs, size):
                others = [post[b] for b in bigs if b not in subset]
                taken, last = 0, None
                for packed in self._newest(subset, post):
                    key, other = packed >> 40, packed & _ROWID_MASK
                    if other == src or other in count or any(other in o for o in others):
                        continue
                    if taken >= self.limit and key != last:
                        break
                    items.append((size, key, other))
                    taken, last = taken + 1, key
        items.sort(reverse=True)
        if len(items) > self.limit:
            cut = items[self.limit - 1][:2]
            items = [it for it in items if it[:2] >= cut]
        out = []
        for n, key, other in items:
            day = _key_day(key)
            _, slug, md = self.slugs.day(day)[other]
            out.append((n, event_path(day, slug), md, [e for e in entities if other in post[e]]))
        return sorted(out, key=lambda r: (r[0], r[1]), reverse=True)[: self.limit]


