#!/usr/bin/env bash
# Runs a command with the project's private engine (scripts/test-engine.sh): starts it, exports
# its settings (EFFECT_DOCKER_TEST_*), runs the command, and stops the engine afterwards unless
# it was already running. Exits with the command's status; fails when the engine cannot start.
#
#   scripts/with-engine.sh CMD...              # always the private engine (tests)
#   scripts/with-engine.sh --if-needed CMD...  # DOCKER_HOST or the default socket when one answers
#   scripts/with-engine.sh --each CMD...       # once per private engine, classic then modern
#                                              # (benchmarks that report both; EFFECT_DOCKER_TEST_ENGINE
#                                              # names the one a run is on)
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

each=false
if [ "${1:-}" = "--each" ]; then
  shift
  each=true
fi

already_running=false
"$here/test-engine.sh" status >/dev/null 2>&1 && already_running=true
env_file=$("$here/test-engine.sh" start)
if [ "$already_running" = false ]; then
  trap '"$here/test-engine.sh" stop' EXIT
fi
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH
if [ "$each" = false ]; then
  # shellcheck disable=SC1090
  source "$env_file"
  export DOCKER_HOST="unix://$EFFECT_DOCKER_TEST_SOCKET"
  set +e
  "$@"
  status=$?
  set -e
  exit $status
fi
for engine in classic modern; do
  # A subshell per engine, so that one engine's settings never leak into the other's run.
  (
    # shellcheck disable=SC1090
    source "$("$here/test-engine.sh" env "$engine")"
    export DOCKER_HOST="unix://$EFFECT_DOCKER_TEST_SOCKET"
    exec "$@"
  )
done
