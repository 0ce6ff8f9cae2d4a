"""Per-host request spacing shared by every worker of a Redis (plain redis-py; no Scrapy).

Scrapy's delays and per-domain concurrency are per process: N workers would send N times as much to one site.
The gate gives each host (download slot) one shared timeline in Redis: a request takes the host's next free
turn, at least ``interval`` after the turn before it, whichever worker took that one, and waits for it. One Lua
script does the read and the write atomically on the Redis server's clock, so workers on machines whose clocks
disagree still space their requests correctly.
"""

from __future__ import annotations

from crawler.distributed import keys

# KEYS[1]: the host's gate; ARGV[1]: interval (ms). Returns {wait (ms), the turn (ms, Redis clock)}.
_TAKE_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local turn = math.max(now, free)
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], turn + interval, 'PX', turn - now + interval + 1000)
return {turn - now, turn}
"""
# KEYS[1]: the gate; ARGV[1]: a turn not used, ARGV[2]: interval. The turn is free again if nobody took one
# after it (otherwise the later turns stand: moving them would bunch requests). Returns 1 if given back.
_GIVE_BACK = """
local turn = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '-1') ~= turn + tonumber(ARGV[2]) then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if turn > now then
  redis.call('SET', KEYS[1], turn, 'PX', turn - now + 1000)
else
  redis.call('DEL', KEYS[1])
end
return 1
"""


class HostGate:
    """``HostGate(redis, interval_s).turn(host)`` → seconds to wait before sending to ``host``; ``take`` also
    returns the turn, which ``give_back`` frees when the request is cancelled before it."""

    def __init__(self, server, interval: float):
        self.interval_ms = max(1, round(interval * 1000))
        self._take = server.register_script(_TAKE_TURN)
        self._give_back = server.register_script(_GIVE_BACK)

    def take(self, host: str, interval: float | None = None) -> tuple[float, int]:
        """(seconds to wait, the turn) for the next request to ``host``, ``interval`` (default: the gate's) after
        the turn before it."""
        ms = self.interval_ms if interval is None else max(self.interval_ms, round(interval * 1000))
        wait, turn = self._take(keys=[keys.host_gate_key(host)], args=[ms])
        return int(wait) / 1000, int(turn)

    def turn(self, host: str) -> float:
        return self.take(host)[0]

    def give_back(self, host: str, turn: int, interval: float | None = None) -> bool:
        """Free an unused turn if it is still the host's last one (True if it was)."""
        ms = self.interval_ms if interval is None else max(self.interval_ms, round(interval * 1000))
        return bool(self._give_back(keys=[keys.host_gate_key(host)], args=[turn, ms]))
