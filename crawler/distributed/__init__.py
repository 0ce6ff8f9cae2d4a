"""Distributed mode: a shared frontier in Redis (scrapy-redis), many workers, one SQLite writer (ingest)."""
