#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them all.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check '.[test]'

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is missing and this is not root: browser tests use Playwright's own browser if present" >&2
  fi
fi

# Prometheus scrapes /metrics in one test; without it (and not root) that test is skipped saying so.
if ! command -v prometheus >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y -qq prometheus >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq prometheus >/dev/null) \
    || echo "note: prometheus could not be installed: its scrape test is skipped" >&2
fi

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if compgen -G "tests/js/*.test.mjs" >/dev/null; then
  node --test tests/js/
fi

python3 -m pytest -q "$@"
