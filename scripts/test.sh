#!/usr/bin/env bash
# Every check the project has, in the order that fails fastest: format, lint, types, tests.
# Installs the Debian servers and browser that the integration tests run against.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-servers.sh

echo "== format" && pnpm exec prettier --check --log-level warn .
echo "== lint" && pnpm exec eslint --max-warnings 0 .
echo "== typecheck" && pnpm exec tsc -p tsconfig.json --noEmit
echo "== build" && node scripts/build.mjs
echo "== tests"
report=$(mktemp)
set +e
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
set -e
# One plain closing line, whatever the runner prints above it.
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' "$report" || true
rm -f "$report"
exit $status
