#!/bin/sh
# Starts node as a role runs in production: with the environment in config/node-options/<role>.env
# and the node options in config/node-options/<role> (either file may be missing), then the
# arguments given. The image's entrypoint, `npm run start:worker` and the benchmarks that run the
# worker's code start node through this; tests and benchmarks that spawn a role read the same
# files (productionNodeOptions and productionNodeEnv in libs/testing).
#   sh scripts/node-role.sh worker dist/apps/worker/src/main.js
role=$1
shift
options="$(dirname "$0")/../config/node-options/$role"
# shellcheck disable=SC2046 # each file is one line of words, split on purpose
exec env $(cat "$options.env" 2>/dev/null) node $(cat "$options" 2>/dev/null) "$@"
