"""WARC capture and offline replay (issue 7).

``writer`` and ``reader`` are pure (warcio only); ``middleware`` is the thin Scrapy glue. The helpers below
are plain dicts the CLI/runner merge into the crawl's settings.
"""

from __future__ import annotations

CAPTURE_MIDDLEWARE = "crawler.warc.middleware.WarcCaptureMiddleware"
REPLAY_MIDDLEWARE = "crawler.warc.middleware.WarcReplayMiddleware"
# Capture sits just below HttpCacheMiddleware (900): its process_response runs before RedirectMiddleware
# (600), RetryMiddleware (550) and HttpCompressionMiddleware (590), so every hop, every retried error
# answer and the body as it came off the wire are recorded; the request is the one really sent
# (User-Agent, Accept-Encoding…). LocalMirrorMiddleware's /mirror/ URLs are mapped back to the original.
CAPTURE_PRIORITY = 880
# Replay answers in process_request after OffsiteMiddleware (50), (Shared)RobotsTxtMiddleware (100) and
# SafeTargetsMiddleware (110) — so robots and address decisions are taken again, as live — and before
# LocalMirrorMiddleware (120) rewrites URLs; its responses then run through every process_response
# (redirects, decompression, retries) exactly like downloaded ones.
REPLAY_PRIORITY = 115


def with_warc_middlewares(middlewares: dict) -> dict:
    """``DOWNLOADER_MIDDLEWARES`` plus the two WARC middlewares (each NotConfigured unless its setting)."""
    return {**middlewares, CAPTURE_MIDDLEWARE: CAPTURE_PRIORITY, REPLAY_MIDDLEWARE: REPLAY_PRIORITY}


def capture_settings(directory: str) -> dict:
    """Settings for ``--warc DIR``: write every exchange of the crawl to DIR/*.warc.gz."""
    return {"NEWSARCHIVE_WARC_DIR": str(directory)}


def replay_settings(paths) -> dict:
    """Settings for ``--replay PATH…``: answer every request from the WARC files, never the network.

    Responses bypass the download slots, so delays do not apply anyway; retries and waits are switched off
    because a replayed error answer would only be replayed again.
    """
    return {
        "NEWSARCHIVE_REPLAY": [str(p) for p in paths],
        "NEWSARCHIVE_MIRROR": "",
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "RETRY_ENABLED": False,
        "NEWSARCHIVE_API_RETRIES": 0,
        "NEWSARCHIVE_RETRY_AFTER_MAX": 0,
        "HTTPCACHE_ENABLED": False,
    }
