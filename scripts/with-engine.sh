#!/usr/bin/env bash
# Runs a command with the project's private engine (scripts/test-engine.sh): starts it, exports
# its settings (EFFECT_DOCKER_TEST_*), runs the command, and stops the engine afterwards unless
# it was already running. Exits with the command's status; fails when the engine cannot start.
#
#   scripts/with-engine.sh CMD...              # always the private engine (tests)
#   scripts/with-engine.sh --if-needed CMD...  # DOCKER_HOST or the default socket when one answers
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--if-needed" ]; then
  shift
  host=${DOCKER_HOST:-unix:///var/run/docker.sock}
  if [ "${host#unix://}" != "$host" ] && curl -sf --max-time 3 --unix-socket "${host#unix://}" http://localhost/_ping >/dev/null 2>&1; then
    exec "$@"
  fi
  if [ "${host#tcp://}" != "$host" ] && [ -z "${DOCKER_TLS_VERIFY:-}" ] && curl -sf --max-time 3 "http://${host#tcp://}/_ping" >/dev/null 2>&1; then
    exec "$@"
  fi
  echo "[with-engine] no engine answers at $host: starting the project's private engine for this run" >&2
fi

already_running=false
"$here/test-engine.sh" status >/dev/null 2>&1 && already_running=true
env_file=$("$here/test-engine.sh" start)
if [ "$already_running" = false ]; then
  trap '"$here/test-engine.sh" stop' EXIT
fi
# shellcheck disable=SC1090
source "$env_file"
export DOCKER_HOST="unix://$EFFECT_DOCKER_TEST_SOCKET"
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH
set +e
"$@"
status=$?
set -e
exit $status
