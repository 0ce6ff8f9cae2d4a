"""The backfill bench: a simulated web on 127.0.0.1 (hosts, dead links, a rate-limited Wayback Machine) and a
crawl of it measured against the lower bound its own politeness implies. Entry point: ``python -m
bench.backfill``."""
