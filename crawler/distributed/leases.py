"""Leases on the source and API requests a worker takes from the shared frontier (plain redis-py; no Scrapy).

scrapy-redis pops a request from the frontier and forgets it: if the worker dies before the source's item is in
the item queue, the request is gone until the ingest's re-seed (which waits for every queue to go quiet). Here a
request is popped and leased in one Lua script: the encoded request (with its frontier score) is kept in the
worker's lease hash until the source's item is pushed (an API batch: until its day pages are out). Each worker keeps ``alive:<id>`` fresh (renewed every
second, a few seconds' TTL); the ingest puts the leases of a worker whose key lapsed back into the frontier, so a
killed worker's sources are fetched again within seconds, by the others. A worker that closes normally puts back
what it still holds. A request put back may have been fetched already: the item is stored idempotently.
"""

from __future__ import annotations

import json

from crawler.distributed import keys

# KEYS[1]: frontier (sorted set), KEYS[2]: the worker's lease hash. Returns {member, field} or nil.
_POP_AND_LEASE = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return nil end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local field = redis.sha1hex(top[1])
redis.call('HSET', KEYS[2], field, top[2] .. '\\n' .. top[1])
return {top[1], field}
"""
# KEYS[1]: a lease hash, KEYS[2]: the frontier. Every leased request goes back with its score; returns how many.
_REQUEUE = """
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 2, #all, 2 do
  local v = all[i]
  local cut = string.find(v, '\\n', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(v, 1, cut - 1)), string.sub(v, cut + 1))
  n = n + 1
end
redis.call('DEL', KEYS[1])
return n
"""


class Leases:
    """One worker's leases: ``pop(frontier)`` → (encoded request, lease field) | None; ``hold`` ties the lease
    to the work it does (a source URL, an API batch's key), ``release(work)`` ends it once that is out."""

    ALIVE_TTL_MS = 5000

    def __init__(self, server, worker_id: str):
        self.server, self.worker_id = server, worker_id
        self.key = keys.lease_key(worker_id)
        self._pop = server.register_script(_POP_AND_LEASE)
        self._by_source: dict[str, str] = {}
        self._pending: dict[str, set] = {}  # work -> its items not pushed yet (an API batch's day pages)
        self._work_of: dict = {}  # item token -> its work
        self._closed: set[str] = set()  # work whose request yields nothing more

    def pop(self, frontier: str) -> tuple[bytes, str] | None:
        got = self._pop(keys=[frontier, self.key])
        return (got[0], got[1].decode() if isinstance(got[1], bytes) else got[1]) if got else None

    def hold(self, field: str, source: str | None) -> None:
        """Keep the lease for the request doing ``source`` (its successor in an archive chain replaces it); a
        request doing neither a source nor an API batch is not leased (the ingest re-seeds it if lost)."""
        if source is None:
            self.server.hdel(self.key, field)
            return
        previous = self._by_source.get(source)
        self._by_source[source] = field
        if previous is not None and previous != field:
            self.server.hdel(self.key, previous)

    def release(self, source: str, pipe=None) -> None:
        """End the lease on ``source``'s request; with ``pipe`` (a redis pipeline), as part of it."""
        field = self._by_source.pop(source, None)
        if field is not None:
            (pipe if pipe is not None else self.server).hdel(self.key, field)

    def expect(self, work: str, token) -> None:
        """An item of ``work`` (``token``: a day page's title) is on its way through the worker's pipelines."""
        self._pending.setdefault(work, set()).add(token)
        self._work_of[token] = work

    def delivered(self, token, pipe=None) -> None:
        """The item ``token`` is pushed (in ``pipe``): with the last item of a closed work, its lease ends."""
        work = self._work_of.pop(token, None)
        tokens = self._pending.get(work)
        if tokens is None:
            return
        tokens.discard(token)
        if not tokens:
            del self._pending[work]
            if work in self._closed:
                self._closed.discard(work)
                self.release(work, pipe)

    def close(self, work: str) -> None:
        """``work``'s request yields nothing more: its lease ends now, or when its last expected item is pushed
        (the pipelines run several items at once, so items can still be on their way)."""
        if self._pending.get(work):
            self._closed.add(work)
        else:
            self.release(work)

    def forget_all(self) -> None:
        """The worker is idle, so every request it popped has finished: a lease left (a request that ended
        without a source item) is dropped, not put back."""
        self._by_source.clear()
        self._pending.clear()
        self._work_of.clear()
        self._closed.clear()
        self.server.delete(self.key)

    def keep_alive(self) -> None:
        self.server.set(keys.alive_key(self.worker_id), 1, px=self.ALIVE_TTL_MS)

    def give_up(self, frontier: str) -> int:
        """Closing: every request still held goes back to the frontier."""
        self._by_source.clear()
        self._pending.clear()
        self._work_of.clear()
        self._closed.clear()
        n = requeue(self.server, self.key, frontier)
        self.server.delete(keys.alive_key(self.worker_id))
        return n


def requeue(server, lease_key: str, frontier: str) -> int:
    return int(server.register_script(_REQUEUE)(keys=[lease_key, frontier]))


def requeue_orphans(server, frontier: str) -> int:
    """Put back the leases of workers whose ``alive`` key lapsed (killed, frozen, cut off); returns requests."""
    n = 0
    for key in server.scan_iter(match=f"{keys.LEASES}:*", count=1000):
        worker = (key.decode() if isinstance(key, bytes) else key)[len(keys.LEASES) + 1:]
        if not server.exists(keys.alive_key(worker)):
            n += requeue(server, key, frontier)
    return n


def leased(server) -> int:
    """Requests leased by all workers (for monitoring)."""
    return sum(server.hlen(k) for k in server.scan_iter(match=f"{keys.LEASES}:*", count=1000))

def api_lease_key(meta: dict) -> str:
    """What a distributed worker's lease on an API request is called: its titles and continuation."""
    return "api:" + json.dumps([meta.get("titles"), meta.get("cont")], sort_keys=True)
