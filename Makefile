# The two commands: `make demo` runs the product, `make check` runs every test.

.PHONY: demo check build bench bench-replicas fuzz screenshots

demo:
	go run ./cmd/takedown demo

check:
	./scripts/check

build:
	go build -o bin/takedown ./cmd/takedown

# Intake load test against a real server on SQLite; figures go to docs/performance.md.
bench:
	go run ./bench/intake

# The mixed workload on SQLite, PostgreSQL and three PostgreSQL replicas, side by side (needs
# the PostgreSQL of -db, by default postgres://postgres@127.0.0.1:5432/test); figures go to
# docs/performance.md. More flags: make bench-replicas ARGS="-duration 60s".
bench-replicas:
	go run ./bench/replicas $(ARGS)

# Longer fuzzing than check does: FUZZTIME=10m make fuzz
fuzz:
	FUZZTIME=$${FUZZTIME:-5m} ./scripts/fuzz

# The console's screenshots in docs/screenshots, taken by the browser walk (needs chromium).
screenshots:
	TAKEDOWN_SCREENSHOTS=$(CURDIR)/docs/screenshots go test -count=1 -run TestConsoleWalk ./webui
