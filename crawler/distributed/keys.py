"""Redis key names of the distributed mode (one namespace per spider)."""

PREFIX = "newsarchive"
SEEDS = f"{PREFIX}:seeds"  # JSON work seeds: {"kind": "days", "titles": [...]} / {"kind": "source", ...}
ITEMS = f"{PREFIX}:items"  # JSON items pushed by workers, drained by the ingest
PROCESSING = f"{PREFIX}:items:processing"  # the batch the ingest is writing (moved back on restart)
SOURCES_SEEN = f"{PREFIX}:sources:seen"  # normalised source URLs already requested (shared dedupe)
ENTITIES_SEEN = f"{PREFIX}:entities:seen"  # entity titles already sent for resolution (shared dedupe)
WIKIDATA_SEEN = f"{PREFIX}:wikidata:seen"  # item ids already asked of Wikidata (items and type/country labels)
RANGES = f"{PREFIX}:ranges"  # seeded day ranges (JSON), for the ingest's completeness check
ACTIVE = f"{PREFIX}:workers:active"  # worker id -> last heartbeat (unix time)
BUSY = f"{PREFIX}:workers:busy"  # BUSY:<worker id> exists (short TTL, renewed) while the worker has work in flight
ALIVE = f"{PREFIX}:workers:alive"  # ALIVE:<worker id> exists (short TTL, renewed) while the worker runs
LEASES = f"{PREFIX}:leases"  # LEASES:<worker id>: hash of the source requests it popped and has not finished
REQUESTS = f"{PREFIX}:%(spider)s:requests"  # scrapy-redis frontier (sorted set)
DUPEFILTER = f"{PREFIX}:%(spider)s:dupefilter"


def frontier_key(spider: str = "portal") -> str:
    return REQUESTS % {"spider": spider}


def host_gate_key(host: str) -> str:
    """The host's next free request turn (ms, Redis clock): ``crawler.distributed.hostgate``."""
    return f"{PREFIX}:gate:{host}"


def busy_key(worker_id: str) -> str:
    return f"{BUSY}:{worker_id}"


def alive_key(worker_id: str) -> str:
    return f"{ALIVE}:{worker_id}"


def lease_key(worker_id: str) -> str:
    return f"{LEASES}:{worker_id}"
