#!/usr/bin/env bash
# Every check the project has, in the order that fails fastest: format, lint, types, tests.
# Installs the Debian servers and browser that the integration tests run against.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-servers.sh

echo "== format" && pnpm exec prettier --check --log-level warn .
echo "== lint" && pnpm exec eslint --max-warnings 0 .
echo "== typecheck" && pnpm exec tsc -p tsconfig.json --noEmit
echo "== tests" && pnpm exec vitest run "$@"
