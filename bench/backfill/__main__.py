"""``python -m bench.backfill``: see bench/backfill/run.py."""

from bench.backfill.run import main

main()
