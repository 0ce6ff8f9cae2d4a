"""Every limit and rate the simulated web models, with its value and where it comes from.

Values are in simulated seconds (the time-scale factor divides them when served). ``FACTS`` is printed at the
start of every run and written into bench/results.md, so a figure always comes with the web it was measured
on. A value with no published measure behind it says so (``assumed``) and names what it was chosen against.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    source: str


# --- dead links by age (Bowers, Stanton & Zittrain 2021, links in New York Times articles): 6% of the links
# in 2018 articles dead, 72% of those in 1998 articles, near-linear in between. Ages are taken at 2021, the
# year the study was published.
ROT_MEASURED_IN = 2021
ROT_YOUNG_AGE, ROT_YOUNG_SHARE = ROT_MEASURED_IN - 2018, 0.06  # 3 years old: 6% dead
ROT_OLD_AGE, ROT_OLD_SHARE = ROT_MEASURED_IN - 1998, 0.72  # 23 years old: 72% dead


def dead_share(age_years: float) -> float:
    """Share of links dead at ``age_years``: the published line through (3 y, 6%) and (23 y, 72%), 3.3 points
    a year; below 3 years it falls linearly to 0 at age 0, above 23 it is held at 72% (no measure beyond)."""
    slope = (ROT_OLD_SHARE - ROT_YOUNG_SHARE) / (ROT_OLD_AGE - ROT_YOUNG_AGE)
    if age_years <= 0:
        return 0.0
    if age_years < ROT_YOUNG_AGE:
        return ROT_YOUNG_SHARE * age_years / ROT_YOUNG_AGE
    return min(ROT_OLD_SHARE, ROT_YOUNG_SHARE + slope * (age_years - ROT_YOUNG_AGE))


# How a dead link fails (assumed: Bowers et al. count all of these as rot without a split).
DEAD_KINDS = {"http_404": 0.60, "host_gone": 0.15, "soft_404_page": 0.125, "soft_404_home": 0.125}
# Of dead links: share with a 200 capture within a year of the citation (the rest: none, only non-200
# captures, or captures made only later — "archived for the first time only after they no longer work").
ARCHIVED_SHARE = 0.85
# Citations that already are web.archive.org URLs, and citations marked {{Dead link}}: counted on the real
# pages.
WRAPPED_SHARE_FALLBACK = 4 / 184
MARKED_DEAD_SHARE_FALLBACK = 1 / 184

# --- live hosts --------------------------------------------------------------------------------------------
LATENCY_MEDIAN = 0.30  # s, a host's median answer time
LATENCY_SIGMA = 0.8  # lognormal sigma across hosts: 6.6% of hosts ≥ 1 s, 0.9% ≥ 2 s
LATENCY_JITTER = 0.3  # lognormal sigma of one answer around its host's median
LATENCY_CAP = 10.0
RATE_LIMITED_SHARE = 0.05  # hosts that state a limit (robots.txt Crawl-delay) and answer 429 past it
RATE_LIMIT_INTERVALS = (1.0, 2.0, 5.0)  # s between two requests, as stated
BURST_5XX_SHARE = 0.03  # hosts with a run of 5xx answers (a deploy, an overload)
BURST_429_SHARE = 0.01  # hosts that answer 429 + Retry-After for a while whatever the request rate
BURST_LENGTH = (3, 12)  # consecutive answers in a burst
BURST_RETRY_AFTER = 5.0  # s, Retry-After of a 503/429 burst answer

# --- the Wayback Machine
# -------------------------------------------------------------------------------------
CDX_PER_MINUTE = 24  # /cdx/search/cdx (and timemaps): hard limit, per IP
PLAYBACK_PER_MINUTE = 600  # /web/… captures and their timestamp redirects: hard limit, per IP
LIMIT_WINDOW = 60.0  # s over which a per-minute limit is counted (requests answered, sliding)
IGNORED_429_BEFORE_BLOCK = 60.0  # s of 429s a client may keep pushing before the firewall block
BLOCK_SECONDS = 3600.0  # first block; each further block doubles
CDX_LATENCY = 0.7  # s, median answer time of a CDX query
PLAYBACK_LATENCY = 0.5  # s, median answer time of a raw capture or a timestamp redirect

FACTS = [
    Fact("dead links by age", "6% at 3 years, 72% at 23 years, linear (3.3 points a year); 0 at age 0",
         "Bowers, Stanton & Zittrain 2021, NYT article links: 6% of 2018 links, 72% of 1998 links dead "
         "(ages taken at 2021)"),
    Fact("how a dead link fails", "HTTP 404 60%, host gone (no answer) 15%, soft 404 25% (half a 200 "
         "'not found' page, half a redirect to the home page)",
         "assumed (the study counts all as rot, no split)"),
    Fact("dead links with a usable capture", f"{ARCHIVED_SHARE:.0%} (a 200 capture within a year); the rest "
         "none, only non-200 captures, or first captured > 1 year later",
         "'Characterizing \"permanently dead\" links on Wikipedia', IMC 2022 (doi 10.1145/3517745.3561451): "
         "dead links rarely lack any capture, many are first captured only after they died; IA archives "
         "every URL added to Wikipedia (IA blog, 2018). The share itself is assumed"),
    Fact("host distribution", "the citation hosts of the real day pages (top hosts ~a tenth each), the rest "
         "of the mass spread as a Zipf tail over >= 1,000 hosts",
         "../shared/realdata/portal (parsed with crawler.portal)"),
    Fact("per-host latency", f"lognormal across hosts, median {LATENCY_MEDIAN} s, sigma {LATENCY_SIGMA} "
         f"(6.6% of hosts >= 1 s, 0.9% >= 2 s), per answer sigma {LATENCY_JITTER}, cap {LATENCY_CAP:g} s",
         "shape from Web Almanac 2019 (CrUX): 42% of sites give >= 25% of visits a TTFB >= 1 s, 2% give 75% "
         "< 0.2 s — browser TTFB includes DNS/TLS/last mile, so the server time here is lower (assumed)"),
    Fact("rate-limited hosts", f"{RATE_LIMITED_SHARE:.0%} of hosts state one request per "
         f"{'/'.join(f'{x:g}' for x in RATE_LIMIT_INTERVALS)} s (robots.txt Crawl-delay) and answer 429 + "
         "Retry-After to a request sooner than that after the last one served", "assumed"),
    Fact("5xx / 429 bursts", f"{BURST_5XX_SHARE:.0%} of hosts answer a run of "
         f"{BURST_LENGTH[0]}-{BURST_LENGTH[1]} 500/502/503, {BURST_429_SHARE:.0%} a run of 429 whatever the "
         f"rate (Retry-After {BURST_RETRY_AFTER:g} s)", "assumed"),
    Fact("Wayback CDX limit", f"{CDX_PER_MINUTE} requests a minute per IP (sliding {LIMIT_WINDOW:g} s), 429 "
         "without Retry-After past it",
         "edgi-govdata-archiving/wayback v0.5.1 release notes (2026-06-19): 24/min 'to match the actual hard "
         "limits now set on Wayback Machine servers' (60/min averaged over 5 min in 2023, wayback#153); no "
         "Retry-After on Wayback 429s (headers in akamhy/waybackpy#142)"),
    Fact("Wayback playback limit", f"{PLAYBACK_PER_MINUTE} requests a minute per IP (raw captures and "
         "timestamp redirects)", "wayback's client: defaults at 80% of the hard limits, memento 0.8 x 600/60 "
         "(edgi-govdata-archiving/wayback _client.py)"),
    Fact("Wayback block", f"429s ignored for more than {IGNORED_429_BEFORE_BLOCK:g} s: the IP is blocked "
         f"(connections refused) for {BLOCK_SECONDS / 3600:g} h, doubling at each new block",
         "Internet Archive staff quoted in edgi-govdata-archiving/wayback#137 (2023-11-01); refused "
         "connections as reported in internetarchive/wayback#252 (a firewall that drops instead would cost a "
         "crawler its timeout)"),
    Fact("Wayback timestamp redirect", "/web/<any timestamp>id_/<url> answers 302 to the nearest capture",
         "the Wayback Machine's playback behaviour"),
    Fact("Wayback answer times", f"CDX {CDX_LATENCY:g} s, playback {PLAYBACK_LATENCY:g} s (median, lognormal "
         f"sigma {LATENCY_JITTER})", "assumed"),
]


def fact_lines() -> list[str]:
    return [f"- {f.name}: {f.value} — {f.source}" for f in FACTS]
