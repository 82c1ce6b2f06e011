#!/bin/sh
# Starts node as a role runs in production: with the environment in config/node-options/<role>.env
# and the node options in config/node-options/<role> (either file may be missing), then the
# arguments given. The image's entrypoint, the npm start scripts, the tests' processes and the
# benchmarks all start a role through this, so it runs the same everywhere.
#   sh scripts/node-role.sh worker dist/apps/worker/src/main.js
#
# <role>.env is one line of NAME=value words: defaults, so a variable the caller already set (an
# operator's `docker run -e MALLOC_ARENA_MAX=4`) is kept. <role> is one line of node options.
set -eu
role=${1-}
case "$role" in
  '' | *[!a-z0-9-]*)
    echo "node-role.sh: a role is lower-case letters, digits and dashes, not '$role'" >&2
    exit 64
    ;;
esac
shift
options="$(dirname "$0")/../config/node-options/$role"
set -f # the files' words are split, never expanded as file names
if [ -f "$options.env" ]; then
  for word in $(cat "$options.env"); do
    name=${word%%=*}
    case "$name" in
      '' | [0-9]* | *[!A-Za-z0-9_]*)
        echo "node-role.sh: $options.env: '$word' is not NAME=value" >&2
        exit 64
        ;;
    esac
    if [ "$name" = "$word" ]; then
      echo "node-role.sh: $options.env: '$word' is not NAME=value" >&2
      exit 64
    fi
    eval "isset=\${$name+yes}"
    # shellcheck disable=SC2154 # isset is set by the eval above
    [ "$isset" = yes ] || export "$word"
  done
fi
# shellcheck disable=SC2046 # one line of options, split into words on purpose
exec node $(cat "$options" 2>/dev/null || true) "$@"
