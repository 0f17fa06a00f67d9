#!/usr/bin/env bash
# A three-node swarm for the swarm tests and examples/swarm: three dockerds of the modern engine
# (Docker 28.5, scripts/test-engine.sh's forky tree), each with its own data root, exec root,
# socket and default bridge, advertising its own loopback address: manager-1 on 127.0.0.2:2377
# inits, manager-2 (127.0.0.3) and worker-1 (127.0.0.4) join with the tokens our client reads
# (scripts/swarm-form.ts). Each node has the offline busybox image as busybox:latest.
#
#   scripts/test-engine.sh swarm-start           # prints the env file; `source` it
#   scripts/test-engine.sh swarm-restart NODE    # SIGKILL a node's dockerd and start it again
#   scripts/test-engine.sh swarm-stop
#   scripts/test-engine.sh swarm-env | swarm-status
#
# What this sandbox cannot run (one kernel under every node): overlay networks, and so ingress
# publishing, work on one node only; on the others the engine rejects the task with "network
# sandbox join failed: ... error creating vxlan interface: file exists" (every node creates the
# same VXLAN device in the one host namespace). Tasks without networks run on every node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/test-engine.sh
source "$here/test-engine.sh"

SWARM_DIR=${EFFECT_DOCKER_SWARM_DIR:-/tmp/effect-docker-swarm}
SWARM_ENV_FILE="$SWARM_DIR/swarm.env"
SWARM_NODES=(manager-1 manager-2 worker-1)
declare -A SWARM_ADDRESS=([manager-1]=127.0.0.2 [manager-2]=127.0.0.3 [worker-1]=127.0.0.4)
declare -A SWARM_BRIDGE=([manager-1]=effdock-w1 [manager-2]=effdock-w2 [worker-1]=effdock-w3)
declare -A SWARM_SUBNET=([manager-1]=172.28.1.1/24 [manager-2]=172.28.2.1/24 [worker-1]=172.28.3.1/24)

swarm_stop() {
  for node in "${SWARM_NODES[@]}"; do kill_pidfile "$SWARM_DIR/$node/dockerd.pid"; done
  pkill -f "$SWARM_DIR/" 2>/dev/null || true
  for node in "${SWARM_NODES[@]}"; do ip link del "${SWARM_BRIDGE[$node]}" 2>/dev/null || true; done
  if [ -d "$SWARM_DIR" ]; then
    { grep -o " $SWARM_DIR[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$SWARM_DIR" 2>/dev/null || true
  fi
}

swarm_running() {
  [ -f "$SWARM_ENV_FILE" ] || return 1
  for node in "${SWARM_NODES[@]}"; do
    curl -sf --max-time 5 --unix-socket "$SWARM_DIR/$node/docker.sock" http://localhost/_ping >/dev/null 2>&1 || return 1
  done
}

swarm_dockerd() { # node
  local node=$1
  # The containerd a killed dockerd leaves behind: a new dockerd would wait for it and give up.
  pkill -KILL -f "$SWARM_DIR/$node/exec" 2>/dev/null || true
  rm -f "$SWARM_DIR/$node/exec/containerd/containerd.pid"
  ENGINE_PATH="$SWARM_ENGINE_PATH" start_dockerd "the swarm's $node dockerd" "$SWARM_DIR/$node" \
    --bridge="${SWARM_BRIDGE[$node]}"
}

swarm_engine_path() {
  local root
  root=$(modern_engine_root)
  echo "$root/usr/bin:$root/usr/sbin"
}

swarm_start() {
  if swarm_running; then
    log "reusing the running swarm in $SWARM_DIR"
    echo "$SWARM_ENV_FILE"; return 0
  fi
  swarm_stop # whatever a crashed run left behind
  install_packages
  SWARM_ENGINE_PATH=$(swarm_engine_path)
  mkdir -p "$SWARM_DIR"
  build_rootfs "$SWARM_DIR" || die "could not build the test image"
  for node in "${SWARM_NODES[@]}"; do
    log "starting the swarm's $node dockerd"
    make_bridge "${SWARM_BRIDGE[$node]}" "${SWARM_SUBNET[$node]}"
    swarm_dockerd "$node"
    env PATH="$SWARM_ENGINE_PATH:$PATH" DOCKER_HOST="unix://$SWARM_DIR/$node/docker.sock" \
      docker import --change 'CMD ["sh"]' "$SWARM_DIR/rootfs.tar" busybox:latest >/dev/null ||
      die "could not import the test image into $node"
  done
  local api version
  read -r api version < <(engine_versions "$SWARM_DIR/manager-1/docker.sock")
  [ -n "$api" ] || die "the swarm's manager-1 did not say its API version"
  {
    echo "export EFFECT_DOCKER_TEST_ENGINE=swarm"
    echo "export EFFECT_DOCKER_TEST_ENGINE_VERSION=$version"
    echo "export EFFECT_DOCKER_TEST_API_VERSION=$api"
    echo "export EFFECT_DOCKER_TEST_ENGINE_PATH=$SWARM_ENGINE_PATH"
    echo "export EFFECT_DOCKER_TEST_SOCKET=$SWARM_DIR/manager-1/docker.sock"
    for node in "${SWARM_NODES[@]}"; do
      local key=${node^^}; key=${key//-/_}
      echo "export EFFECT_DOCKER_SWARM_${key}_SOCKET=$SWARM_DIR/$node/docker.sock"
      echo "export EFFECT_DOCKER_SWARM_${key}_ADDRESS=${SWARM_ADDRESS[$node]}:2377"
    done
  } > "$SWARM_ENV_FILE.partial"
  log "forming the swarm with effect-docker (scripts/swarm-form.ts)"
  (cd "$here/.." && set -a && source "$SWARM_ENV_FILE.partial" && node_modules/.bin/tsx scripts/swarm-form.ts) ||
    die "the swarm did not form (the engines' logs: $SWARM_DIR/*/dockerd.log)"
  mv "$SWARM_ENV_FILE.partial" "$SWARM_ENV_FILE"
  log "the swarm is ready: three nodes of Docker $version, API $api"
  echo "$SWARM_ENV_FILE"
}

# A node's dockerd killed (SIGKILL, as a crash) and started again with the same roots: an
# autolocked swarm comes back locked.
swarm_restart() { # node
  local node=${1:-} pid
  [ -n "$node" ] && [ -n "${SWARM_BRIDGE[$node]:-}" ] || die "no swarm node named ${node}: ${SWARM_NODES[*]}"
  SWARM_ENGINE_PATH=$(swarm_engine_path)
  pid=$(cat "$SWARM_DIR/$node/dockerd.pid" 2>/dev/null) || die "the swarm's $node is not running"
  kill -KILL "$pid"
  while [ -e "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.02; done
  rm -f "$SWARM_DIR/$node/dockerd.pid"
  swarm_dockerd "$node"
  echo "$SWARM_DIR/$node/docker.sock"
}

case "${1:-}" in
  start) swarm_start ;;
  stop) swarm_stop; log "the swarm is stopped" ;;
  restart) swarm_restart "${2:-}" ;;
  env) echo "$SWARM_ENV_FILE" ;;
  status) if swarm_running; then cat "$SWARM_ENV_FILE"; else log "the swarm is not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|restart NODE|env|status" >&2; exit 2 ;;
esac
