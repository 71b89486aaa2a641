# Patchbay — the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what those two are made of.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
SANDBOX_PORT ?= 47100
SANDBOX_SEED ?= 7
SANDBOX_JOBS ?= 20000
APP_BIN := target/debug/patchbay-app
SANDBOX_BIN := target/debug/patchbay-sandbox

.PHONY: help
help:
	@echo "make run      build and open Patchbay, with the practice Fergus (sandbox) running"
	@echo "make test     every check and test tier (what CI runs)"
	@echo "make sandbox  serve the practice Fergus in the foreground and print a demo token"
	@echo "make bench    measured performance, one 'name: value' line per figure"
	@echo "make e2e      only the real-window tests (Xvfb + WebDriver)"
	@echo "make lint     formatting, clippy, TypeScript and UI lint"

# ---------------------------------------------------------------- set-up
.PHONY: deps deps-app deps-e2e
deps:            ## system packages, npm packages
	scripts/install-deps.sh
deps-app:
	scripts/install-deps.sh --app
deps-e2e:
	scripts/install-deps.sh --e2e

# ---------------------------------------------------------------- builds
.PHONY: ui app sandbox-bin cli-bin
ui: deps-app
	npm --prefix ui run build

app: deps-app
	npx --prefix ui tauri build --debug --no-bundle

sandbox-bin:
	$(CARGO) build -p patchbay-sandbox --bin patchbay-sandbox

cli-bin:
	$(CARGO) build -p patchbay-cli --bin patchbay

# ---------------------------------------------------------------- run
.PHONY: run sandbox
run: app sandbox-bin
	scripts/run-demo.sh

sandbox: sandbox-bin
	$(SANDBOX_BIN) --port $(SANDBOX_PORT) --seed $(SANDBOX_SEED) --jobs $(SANDBOX_JOBS)

# ---------------------------------------------------------------- checks
.PHONY: test lint fmt-check clippy ui-check check-bindings rust-test e2e
test: deps lint rust-test check-bindings ui-check e2e
	@echo "make test: every tier passed"

lint: fmt-check ui-build-for-clippy clippy

fmt-check:
	$(CARGO) fmt --all -- --check

# src-tauri embeds ui/dist at compile time, so clippy over the workspace needs it built.
.PHONY: ui-build-for-clippy
ui-build-for-clippy: deps-app
	npm --prefix ui run build

clippy:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

ui-check: deps-app
	npm --prefix ui run typecheck
	npm --prefix ui run lint
	npm --prefix ui test

rust-test:
	scripts/with-keyring.sh $(CARGO) test --workspace --locked

# ts-rs regenerates ui/src/bindings during `cargo test`; committed files must match.
check-bindings:
	@if [[ -n "$$(git status --porcelain -- ui/src/bindings)" ]]; then \
	  echo "TypeScript bindings drifted from the Rust types:"; git status --porcelain -- ui/src/bindings; \
	  git --no-pager diff --stat -- ui/src/bindings; \
	  echo "Run 'cargo test -p patchbay-core -p patchbay-connectors' and commit ui/src/bindings."; exit 1; fi
	@echo "bindings: up to date"

e2e: deps-e2e app sandbox-bin
	tests/e2e/run.sh

# ---------------------------------------------------------------- benchmarks
.PHONY: bench
bench: deps-app
	$(CARGO) bench -p patchbay-sandbox --bench sandbox
	$(CARGO) bench -p patchbay-core --bench engine
	$(CARGO) bench -p patchbay-core --bench webhooks
	scripts/bench-app.sh
	scripts/bench-scroll.sh
