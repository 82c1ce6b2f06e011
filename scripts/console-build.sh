#!/usr/bin/env bash
# Builds the supervisors' console (apps/console → dist/console, served by the API at /console)
# when dist/console is missing or older than any of its sources, the core files it imports or the
# lockfile; otherwise does nothing, in well under a second. Run before `npm test` and `npm run demo`.
# NODE_ENV is production whatever the caller runs under (Jest sets `test`): React's production build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
stamp=dist/console/.built
sources=(apps/console libs/core/src/supervision/escalation.ts
  libs/core/src/statistics/units-needing-attention.ts package-lock.json)
if [[ -f "$stamp" && -z "$(find "${sources[@]}" -newer "$stamp" -type f -print -quit)" ]]; then
  exit 0
fi
echo "console: building apps/console into dist/console" >&2
NODE_ENV=production npx vite build --config apps/console/vite.config.mts --logLevel warn
touch "$stamp"
