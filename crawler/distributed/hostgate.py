"""Per-host request spacing shared by every worker of a Redis (plain redis-py; no Scrapy).

Scrapy's delays and per-domain concurrency are per process: N workers would send N times as much to one site.
The gate gives each host (download slot) one shared timeline in Redis: a request takes the host's next free
turn, at least ``interval`` after the turn before it, whichever worker took that one, and waits for it. One Lua
script does the read and the write atomically on the Redis server's clock, so workers on machines whose clocks
disagree still space their requests correctly.
"""

from __future__ import annotations

from crawler.distributed import keys

# KEYS[1]: the host's gate; ARGV[1]: interval (ms). Returns how long (ms) the caller waits for its turn.
_TAKE_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local turn = math.max(now, free)
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], turn + interval, 'PX', turn - now + interval + 1000)
return turn - now
"""


class HostGate:
    """``HostGate(redis, interval_s).turn(host)`` → seconds to wait before sending to ``host``."""

    def __init__(self, server, interval: float):
        self.interval_ms = max(1, round(interval * 1000))
        self._take = server.register_script(_TAKE_TURN)

    def turn(self, host: str) -> float:
        return int(self._take(keys=[keys.host_gate_key(host)], args=[self.interval_ms])) / 1000
