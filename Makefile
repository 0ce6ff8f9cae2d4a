PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo demo-warc test eval bench bench-backfill soak system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q -e '.[test,parquet,report,browser,hf]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m crawler.devtools.demo

demo-warc: $(STAMP)
	$(BIN)/python -m crawler.devtools.build_demo_warc --out output/demo-warc --crawl output/demo-replay.db

# redis-server for the distributed-mode tests, chromium for the report's browser test (Debian packages;
# installed when missing and we are root)
system-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null \
	      || echo "could not install redis-server: distributed tests will skip"; \
	  else echo "redis-server not found (apt-get install redis-server): distributed tests will skip"; fi; }
	@test -x /usr/bin/chromium || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	      || echo "could not install chromium: the report's browser test will skip"; \
	  else echo "chromium not found (apt-get install chromium): the report's browser test will skip"; fi; }

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/python -m crawler.devtools.evaluate

bench: $(STAMP)
	$(BIN)/python bench/run.py

# a backfill against a simulated web on 127.0.0.1 (politeness, dead links, the Wayback's limits), time scale ×10: ~25 min
bench-backfill: $(STAMP)
	$(BIN)/python -m bench.backfill

clean:
	rm -rf $(VENV) output/*.db output/news
