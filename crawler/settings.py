"""Scrapy settings for newsarchive: polite defaults, NEWSARCHIVE_* keys for the project's own options."""

import os

from crawler import __version__
from crawler.net.politeness import user_agent

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.scrapy.spiders"]
NEWSPIDER_MODULE = "crawler.scrapy.spiders"

# --- newsarchive's own settings -------------------------------------------------
NEWSARCHIVE_DB = os.environ.get("NEWSARCHIVE_DB", "output/archive.db")
NEWSARCHIVE_WIKI_API = os.environ.get("NEWSARCHIVE_WIKI_API", "https://en.wikipedia.org/w/api.php")
NEWSARCHIVE_CONTACT = os.environ.get("NEWSARCHIVE_CONTACT", "https://github.com/newsarchive/newsarchive")
NEWSARCHIVE_TITLES_PER_REQUEST = 50  # MediaWiki's limit for titles= without apihighlimits
NEWSARCHIVE_MAX_BACKLOG = 5000  # next batch of days only while fewer requests wait (flat memory in backfills; 0 = off)
NEWSARCHIVE_MAX_ARCHIVE_BACKLOG = 20000  # …and while fewer web-archive requests wait (counted apart; 0 = off)
NEWSARCHIVE_MAXLAG = 5  # seconds; https://www.mediawiki.org/wiki/Manual:Maxlag_parameter
NEWSARCHIVE_API_RETRIES = 5  # maxlag / API error retries per request
NEWSARCHIVE_RETRY_AFTER_MAX = 120  # cap (s) on a server's Retry-After we are willing to wait
NEWSARCHIVE_RETRY_AFTER_DEFAULT = 60  # s a host is left alone after a 429 without Retry-After (a rate window)
NEWSARCHIVE_FOLLOW_SOURCES = True
NEWSARCHIVE_RETRY_DUE_SOURCES = False  # also fetch every pending / due failed source of the archive (update)
NEWSARCHIVE_REFETCH_OK_SOURCES = False  # refetch ok sources of the crawled days (conditional GET)
NEWSARCHIVE_SOURCE_RETRY_BASE = 3600  # s; failed sources wait base × factor^(attempts-1)
NEWSARCHIVE_SOURCE_RETRY_FACTOR = 4
NEWSARCHIVE_SOURCE_MAX_ATTEMPTS = 5
NEWSARCHIVE_UPDATE_REVISIT_DAYS = 7  # `update` re-reads the last K days (the portal is edited afterwards)
# Entity resolution: the titles of the crawled days' links and stories through the wiki API (canonical page,
# Wikidata id, coordinates), 50 a request in the "wiki-api" slot; answers older than the max age are asked again.
NEWSARCHIVE_RESOLVE_ENTITIES = True
NEWSARCHIVE_ENTITY_MAX_AGE_DAYS = 90
# Wikidata types (--wikidata): labels, descriptions, P31 types and P17 countries of the resolved items.
NEWSARCHIVE_WIKIDATA = False
NEWSARCHIVE_WIKIDATA_API = os.environ.get("NEWSARCHIVE_WIKIDATA_API", "https://www.wikidata.org/w/api.php")
NEWSARCHIVE_WIKIDATA_DELAY = 1.0  # s between requests to Wikidata (its own slot, one at a time)
# Recovery of dead sources from web archives (empty URL switches a fallback off).
NEWSARCHIVE_ARCHIVE_FALLBACK = True
NEWSARCHIVE_WAYBACK_URL = os.environ.get("NEWSARCHIVE_WAYBACK_URL", "https://web.archive.org")
NEWSARCHIVE_WAYBACK_CONCURRENCY = 2
NEWSARCHIVE_WAYBACK_DELAY = 1.0  # s between requests to the archive
NEWSARCHIVE_CAPTURES_TO_TRY = 3  # nearest captures tried in turn when one fails
NEWSARCHIVE_WAYBACK_NEAREST = True  # ask for the capture nearest the event day first; the CDX index as fallback
NEWSARCHIVE_ARCHIVE_WINDOW_DAYS = 365  # a capture counts when it lies this close to the event day
NEWSARCHIVE_COMMONCRAWL_URL = os.environ.get("NEWSARCHIVE_COMMONCRAWL_URL", "https://index.commoncrawl.org")
NEWSARCHIVE_COMMONCRAWL_DATA_URL = os.environ.get("NEWSARCHIVE_COMMONCRAWL_DATA_URL", "https://data.commoncrawl.org")

# --- politeness ------------------------------------------------------------------
USER_AGENT = user_agent(NEWSARCHIVE_CONTACT, __version__)
ROBOTSTXT_OBEY = True
# robots.txt answers are kept in the archive and reused for this long (RFC 9309: at most 24 h); 0 = always ask
NEWSARCHIVE_ROBOTS_CACHE_HOURS = 24
# a robots.txt Crawl-delay is kept, up to this many seconds (the host's slot: one request at a time, the delay
# counted from each answer; AutoThrottle does not lower it)
NEWSARCHIVE_CRAWL_DELAY_MAX = 60
CONCURRENT_REQUESTS = 32
# The scheduler serves these slots first while they hold fewer than their concurrency (crawler.scrapy.scheduling)
SCHEDULER_PRIORITY_QUEUE = "crawler.scrapy.scheduling.SlowSlotsFirstPriorityQueue"
NEWSARCHIVE_FIRST_SLOTS = ["wayback", "commoncrawl", "wiki-api", "wikidata"]
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Distributed workers: seconds between two requests to one host across all workers of a Redis (0 = per worker only)
NEWSARCHIVE_SHARED_HOST_DELAY = 0.25
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response it hands to the spider; the callbacks yield one
# item (a source) or a few (a portal batch), so Scrapy's default of 100 would only cost reactor CPU.
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.25
DOWNLOAD_DELAY_JITTER = 0.5  # each delay is drawn from ±50% of DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# The wiki API gets its own slot: one request at a time, as Wikimedia's API etiquette asks; Wikidata and the web
# archives get theirs, their delays exact (no jitter: never closer than stated). crawler.scrapy.config derives them
# again from NEWSARCHIVE_WIKIDATA_DELAY and NEWSARCHIVE_WAYBACK_* given on the command line.
DOWNLOAD_SLOTS = {"wiki-api": {"concurrency": 1, "delay": 0, "jitter": 0},
                  "wikidata": {"concurrency": 1, "delay": NEWSARCHIVE_WIKIDATA_DELAY, "jitter": 0},
                  "wayback": {"concurrency": NEWSARCHIVE_WAYBACK_CONCURRENCY, "delay": NEWSARCHIVE_WAYBACK_DELAY,
                              "jitter": 0},
                  "commoncrawl": {"concurrency": NEWSARCHIVE_WAYBACK_CONCURRENCY, "delay": NEWSARCHIVE_WAYBACK_DELAY,
                                  "jitter": 0}}
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control (an HTTP server in the crawl that runs Python code sent to it, announced in a job file
# in the user's profile) stays off like the telnet console; it would also import aiohttp at every start.
REMOTE_CONTROL_ENABLED = False
# A developer aid: Scrapy parses each callback's source (ast) to warn about generators that return values. Its
# cache is keyed by the bound method, which is new for every response, so it re-parses on every page.
WARN_ON_GENERATOR_RETURN_VALUE = False
REDIRECT_MAX_TIMES = 10
# 50 portal titles make an API URL of ~3 KB; MediaWiki accepts 8 KB request lines.
URLLENGTH_LIMIT = 8000

# Priorities: robots.txt (100) and safe targets (110) decide before a WARC replay answers (115), so a replay takes
# them again as live; the replay answers before the mirror rewrites URLs (120), and its responses then pass through
# every process_response (redirects, decompression, retries) like downloaded ones. The capture (880) sits below
# the HTTP cache (900) and above redirects (600), retries (550) and decompression (590): it records every hop,
# every retried error answer and the body as it came off the wire.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.scrapy.middlewares.robots.SharedRobotsTxtMiddleware": 100,
    "crawler.scrapy.middlewares.safe_targets.SafeTargetsMiddleware": 110,
    "crawler.scrapy.middlewares.warc_replay.WarcReplayMiddleware": 115,
    "crawler.scrapy.middlewares.mirror.LocalMirrorMiddleware": 120,
    "crawler.scrapy.middlewares.retry_after.RetryAfterMiddleware": 550,
    "crawler.scrapy.middlewares.meta_refresh.QuickMetaRefreshMiddleware": 580,
    "crawler.scrapy.middlewares.warc_capture.WarcCaptureMiddleware": 880,
}
# WARC capture (--warc DIR) and offline replay (--replay FILE_OR_DIR…)
NEWSARCHIVE_WARC_DIR = ""
NEWSARCHIVE_WARC_PREFIX = "newsarchive"
NEWSARCHIVE_WARC_MAX_SIZE = 1_000_000_000
NEWSARCHIVE_WARC_OPERATOR = ""  # default: NEWSARCHIVE_CONTACT
NEWSARCHIVE_REPLAY = []
# Safe targets: URLs from wiki text never reach loopback/private/link-local/unique-local addresses.
NEWSARCHIVE_SAFE_TARGETS = True
NEWSARCHIVE_ALLOW_NETWORKS = os.environ.get("NEWSARCHIVE_ALLOW_NETWORKS", "")  # e.g. "127.0.0.0/8" for tests
TWISTED_DNS_RESOLVER = "crawler.scrapy.resolver.SafeResolver"
# Tests/demo/bench only: serve every non-API URL from a local mirror (crawler.devtools.devserver).
NEWSARCHIVE_MIRROR = os.environ.get("NEWSARCHIVE_MIRROR", "")
# Distributed mode (crawler.scrapy.config turns a crawl into a worker when the Redis URL is set)
NEWSARCHIVE_REDIS_URL = ""
NEWSARCHIVE_IDLE_EXIT = 0  # s a worker waits with an empty frontier before it exits (0 = until stopped)
NEWSARCHIVE_INGEST_BATCH = 200  # items the ingest writes per transaction
REDIS_PARAMS = {"redis_cls": "crawler.scrapy.distributed.RedisClient"}  # scrapy-redis's client, redis-py 6 ready
ITEM_PIPELINES = {
    "pipelines.extraction.ExtractionPipeline": 500,
    "pipelines.storage.StoragePipeline": 800,
}
NEWSARCHIVE_EXTRACT_WORKERS = 0  # 0 = one per core

# Development: Scrapy's HTTP cache (off by default; `-s HTTPCACHE_ENABLED=1`).
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
