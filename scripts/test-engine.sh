#!/usr/bin/env bash
# Starts and stops the project's private Docker engines for tests, examples and benchmarks: two
# dockerds, "classic" (Debian bookworm's 20.10, API 1.41) and "modern" (Debian forky's 28.5, API
# 1.51, unpacked beside bookworm's packages), each on a Unix socket and on loopback TLS with a
# plain-TCP forward and the offline busybox test image; shared by both, a registry (and one with
# htpasswd authentication) on loopback and an SSH server whose sessions reach either engine.
# Nothing here talks to the internet but Debian's mirror, once, for forky's packages (cached).
#
#   scripts/test-engine.sh start         # prints the classic engine's env file; `source` it
#   scripts/test-engine.sh env modern    # the env file of an engine (classic or modern)
#   scripts/test-engine.sh stop
#   scripts/test-engine.sh status
#   scripts/test-engine.sh swarm-start   # three more engines as one swarm (scripts/test-swarm.sh)
set -euo pipefail

STATE_DIR=${EFFECT_DOCKER_ENGINE_DIR:-/tmp/effect-docker-engine}
TLS_PORT=${EFFECT_DOCKER_TLS_PORT:-23760}
TCP_PORT=${EFFECT_DOCKER_TCP_PORT:-23750}
REGISTRY_PORT=${EFFECT_DOCKER_REGISTRY_PORT:-25000}
AUTH_REGISTRY_PORT=${EFFECT_DOCKER_AUTH_REGISTRY_PORT:-25001}
SSH_PORT=${EFFECT_DOCKER_SSH_PORT:-22220}
MODERN_DIR="$STATE_DIR/modern"
MODERN_TLS_PORT=${EFFECT_DOCKER_MODERN_TLS_PORT:-23761}
MODERN_TCP_PORT=${EFFECT_DOCKER_MODERN_TCP_PORT:-23751}
MODERN_SSH_PORT=${EFFECT_DOCKER_MODERN_SSH_PORT:-22221}
CLASSIC_BRIDGE=${EFFECT_DOCKER_CLASSIC_BRIDGE:-effdock-c0}
MODERN_BRIDGE=${EFFECT_DOCKER_MODERN_BRIDGE:-effdock-m0}
# forky's .deb files and their unpacked tree, kept between runs (keyed by the packages' versions).
DEB_CACHE=${EFFECT_DOCKER_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/effect-docker/forky}
# The user and password of the registry with htpasswd authentication (test material, not a secret).
AUTH_USER=effect
AUTH_PASSWORD=registry-password-42
ENV_FILE="$STATE_DIR/engine.env"
MODERN_ENV_FILE="$STATE_DIR/engine-modern.env"

log() { printf '[test-engine] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

kill_pidfile() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  kill_pidfile "$STATE_DIR/socat.pid"
  kill_pidfile "$MODERN_DIR/socat.pid"
  kill_pidfile "$MODERN_DIR/dockerd.pid"
  kill_pidfile "$STATE_DIR/registry.pid"
  kill_pidfile "$STATE_DIR/auth-registry.pid"
  kill_pidfile "$STATE_DIR/sshd.pid"
  kill_pidfile "$STATE_DIR/dockerd.pid"
  for victim in "$STATE_DIR"/exec-victim-*; do kill_pidfile "$victim/dockerd.pid"; done
  # dockerd's own containerd and shims outlive a crashed dockerd; end the ones under our roots.
  pkill -f "$STATE_DIR/exec" 2>/dev/null || true
  pkill -f "$MODERN_DIR/exec" 2>/dev/null || true
  ip link del "$CLASSIC_BRIDGE" 2>/dev/null || true
  ip link del "$MODERN_BRIDGE" 2>/dev/null || true
  if [ -d "$STATE_DIR" ]; then
    # vfs layers and container mounts under the data root must be unmounted before removal.
    { grep -o " $STATE_DIR[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$STATE_DIR" 2>/dev/null || true
  fi
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [ -x /bin/busybox ] || command -v busybox >/dev/null || missing+=(busybox-static)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v socat >/dev/null || missing+=(socat)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  # The progress examples are watched in a terminal (examples/images/progress.real.test.ts).
  command -v tmux >/dev/null || missing+=(tmux)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; install them or run as root"
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The Debian mirror the machine's own sources use (forky is read from the same one).
debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Prints the root of forky's docker.io, docker-cli, containerd and docker-compose (the Compose
# tests' oracle) unpacked (not installed): they are fetched through a private apt state, so the
# machine's sources and packages stay as they are. bookworm's runc stays in use: forky's needs a
# newer glibc than bookworm has.
modern_engine_root() {
  local debs="$DEB_CACHE/debs" apt="$DEB_CACHE/apt"
  if ! ls "$debs"/docker.io_*.deb "$debs"/docker-cli_*.deb "$debs"/containerd_*.deb "$debs"/docker-compose_*.deb \
    >/dev/null 2>&1; then
    log "fetching forky's docker.io, docker-cli, containerd and docker-compose through a private apt state"
    rm -rf "$apt" "$debs"
    mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$debs"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) forky main" > "$apt/sources.list"
    local options=(-o "Dir::State=$apt/state" -o "Dir::State::status=/var/lib/dpkg/status" -o "Dir::Cache=$apt/cache"
      -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null" -o "APT::Sandbox::User=root")
    apt-get "${options[@]}" update -qq >"$apt/update.log" 2>&1 ||
      { cat "$apt/update.log" >&2; die "could not read forky's package lists from $(debian_mirror) (log above)"; }
    (cd "$debs" && apt-get "${options[@]}" download docker.io docker-cli containerd docker-compose >"$apt/download.log" 2>&1) ||
      { cat "$apt/download.log" >&2; rm -rf "$debs"; die "could not download forky's docker packages (log above)"; }
  fi
  local key root
  key=$(cd "$debs" && ls ./*.deb | sha256sum | cut -c1-16)
  root="$DEB_CACHE/root-$key"
  if [ ! -x "$root/usr/sbin/dockerd" ]; then
    rm -rf "$root.partial"
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$root.partial" || die "could not unpack $deb"; done
    mv "$root.partial" "$root"
  fi
  echo "$root"
}

make_certs() {
  local d="$STATE_DIR/certs"
  mkdir -p "$d" "$d/wrong"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=effect-docker test CA" -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=client" -keyout key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out cert.pem 2>/dev/null
    # A second, unrelated CA and client pair: what a client with the wrong material holds.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=wrong CA" -keyout wrong/ca-key.pem -out wrong/ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=client" -keyout wrong/key.pem -out wrong/client.csr 2>/dev/null
    openssl x509 -req -in wrong/client.csr -CA wrong/ca.pem -CAkey wrong/ca-key.pem -CAcreateserial -days 2 -out wrong/cert.pem 2>/dev/null
    # Server certificates the right CA signed that a client must still refuse: one for another
    # name, and one that expired (openssl ca, the one command here that sets past dates).
    openssl req -newkey rsa:2048 -nodes -subj "/CN=other.example" -keyout other-name-key.pem -out other-name.csr 2>/dev/null
    printf 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n' > other-name.ext
    openssl x509 -req -in other-name.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile other-name.ext -out other-name-cert.pem 2>/dev/null
    mkdir -p ca-db && : > ca-db/index.txt && echo 01 > ca-db/serial
    printf '[ca]\ndefault_ca=test\n[test]\ndatabase=ca-db/index.txt\nnew_certs_dir=ca-db\nserial=ca-db/serial\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n' > ca.cnf
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout expired-key.pem -out expired.csr 2>/dev/null
    openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca-key.pem -in expired.csr -out expired-cert.pem \
      -startdate 20200101000000Z -enddate 20200102000000Z -extfile server.ext 2>/dev/null
  )
}

# A dockerd with its socket, roots, pid file and log in `dir`, as this sandbox allows (no
# iptables, vfs); waits until it answers, or dies with its log.
start_dockerd() { # name, dir, more dockerd arguments... (ENGINE_PATH: where its binaries are)
  local name=$1 dir=$2; shift 2
  mkdir -p "$dir"
  PATH="${ENGINE_PATH:+$ENGINE_PATH:}$PATH" dockerd --host "unix://$dir/docker.sock" --data-root "$dir/root" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" --iptables=false --ip-masq=false --storage-driver=vfs "$@" \
    >>"$dir/dockerd.log" 2>&1 &
  if ! wait_for "$name" curl -sf --unix-socket "$dir/docker.sock" http://localhost/_ping; then
    tail -30 "$dir/dockerd.log" >&2 || true
    die "$name did not start (log above)"
  fi
}

wait_for() { # description, command...
  local what=$1; shift
  for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

build_rootfs() { # dir (default: the state directory), where rootfs.tar is written
  local dir=${1:-$STATE_DIR} bb
  local rootfs="$dir/rootfs"
  bb=$(command -v busybox || echo /bin/busybox)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
  cp "$bb" "$rootfs/bin/busybox"
  for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  tar -C "$rootfs" -cf "$dir/rootfs.tar" .
}

# The busybox image in an engine, under the registry's name and as busybox:latest; the classic
# engine pushes it, so that both engines pull the same image from the shared registry.
import_test_image() { # socket, push?
  local socket=$1 push=$2 image="127.0.0.1:$REGISTRY_PORT/effect-docker/busybox:latest"
  local docker=(env PATH="${ENGINE_PATH:+$ENGINE_PATH:}$PATH" DOCKER_HOST="unix://$socket" docker)
  "${docker[@]}" import --change 'CMD ["sh"]' "$STATE_DIR/rootfs.tar" "$image" >/dev/null
  "${docker[@]}" tag "$image" busybox:latest
  if [ "$push" = push ]; then "${docker[@]}" push "$image" >/dev/null; fi
}

running() {
  [ -f "$ENV_FILE" ] && [ -f "$MODERN_ENV_FILE" ] && [ -S "$STATE_DIR/docker.sock" ] && [ -S "$MODERN_DIR/docker.sock" ] &&
    curl -sf --max-time 5 --unix-socket "$STATE_DIR/docker.sock" http://localhost/_ping >/dev/null 2>&1 &&
    curl -sf --max-time 5 --unix-socket "$MODERN_DIR/docker.sock" http://localhost/_ping >/dev/null 2>&1
}

# An engine's API version and version, from its socket: "1.51 28.5.2+dfsg4".
engine_versions() { # socket
  local answer
  answer=$(curl -sf --unix-socket "$1" http://localhost/version) || { echo; return 0; }
  echo "$(sed -n 's/.*"ApiVersion":"\([0-9.]*\)".*/\1/p' <<<"$answer") $(sed -n 's/.*"Version":"\([^"]*\)","ApiVersion".*/\1/p' <<<"$answer")"
}

# One engine: dockerd on its socket and TLS port, the plain-TCP forward, the test image, its env file.
make_bridge() { # name, address/prefix
  ip link add "$1" type bridge 2>/dev/null || true
  ip addr replace "$2" dev "$1" || die "could not address the bridge $1"
  ip link set "$1" up || die "could not bring up the bridge $1"
}

start_engine() { # name, dir, tls port, tcp port, ssh port, env file, push?, default bridge argument
  local name=$1 dir=$2 tls_port=$3 tcp_port=$4 ssh_port=$5 env_file=$6 push=$7 bridge=$8 c="$STATE_DIR/certs"
  log "starting the $name dockerd in $dir"
  start_dockerd "the $name dockerd" "$dir" "$bridge" --host "tcp://127.0.0.1:$tls_port" \
    --tlsverify --tlscacert "$c/ca.pem" --tlscert "$c/server-cert.pem" --tlskey "$c/server-key.pem"

  # Plain TCP: dockerd applies TLS to every TCP listener, so forward a loopback port to the socket.
  socat "TCP-LISTEN:$tcp_port,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$dir/docker.sock" \
    >"$dir/socat.log" 2>&1 &
  echo $! > "$dir/socat.pid"
  wait_for socat curl -sf "http://127.0.0.1:$tcp_port/_ping" || die "the plain TCP forward to the $name engine did not start"

  import_test_image "$dir/docker.sock" "$push" || die "could not import the test image into the $name engine"
  local api version
  read -r api version < <(engine_versions "$dir/docker.sock")
  [ -n "$api" ] || die "the $name engine did not say its API version"

  cat > "$env_file" <<ENV
export EFFECT_DOCKER_TEST_ENGINE=$name
export EFFECT_DOCKER_TEST_ENGINE_VERSION=$version
export EFFECT_DOCKER_TEST_API_VERSION=$api
export EFFECT_DOCKER_TEST_ENGINE_PATH=${ENGINE_PATH:-}
export EFFECT_DOCKER_TEST_COMPOSE=$COMPOSE_BIN
export EFFECT_DOCKER_TEST_STATE_DIR=$STATE_DIR
export EFFECT_DOCKER_TEST_SOCKET=$dir/docker.sock
export EFFECT_DOCKER_TEST_TCP=tcp://127.0.0.1:$tcp_port
export EFFECT_DOCKER_TEST_TLS=tcp://127.0.0.1:$tls_port
export EFFECT_DOCKER_TEST_CERTS=$c
export EFFECT_DOCKER_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT
export EFFECT_DOCKER_TEST_IMAGE=127.0.0.1:$REGISTRY_PORT/effect-docker/busybox:latest
export EFFECT_DOCKER_TEST_AUTH_REGISTRY=127.0.0.1:$AUTH_REGISTRY_PORT
export EFFECT_DOCKER_TEST_AUTH_USER=$AUTH_USER
export EFFECT_DOCKER_TEST_AUTH_PASSWORD=$AUTH_PASSWORD
export EFFECT_DOCKER_TEST_SSH=ssh://$(id -un)@127.0.0.1:$ssh_port
export EFFECT_DOCKER_TEST_SSH_DIR=$STATE_DIR/ssh
ENV
  log "the $name engine is ready: Docker $version, API $api"
}

start() {
  if running; then
    log "reusing the running engines in $STATE_DIR"
    echo "$ENV_FILE"; return 0
  fi
  stop # whatever a crashed run left behind
  install_packages
  local modern_root
  modern_root=$(modern_engine_root)
  mkdir -p "$STATE_DIR"
  make_certs

  mkdir -p "$STATE_DIR/registry-data"
  cat > "$STATE_DIR/registry.yml" <<YML
version: 0.1
log: { level: error }
storage:
  filesystem: { rootdirectory: $STATE_DIR/registry-data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YML
  docker-registry serve "$STATE_DIR/registry.yml" >"$STATE_DIR/registry.log" 2>&1 &
  echo $! > "$STATE_DIR/registry.pid"
  wait_for registry curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/" || die "the registry did not start"

  # A second registry that wants a user and password (htpasswd, bcrypt), for the auth tests.
  mkdir -p "$STATE_DIR/auth-registry-data"
  htpasswd -Bbn "$AUTH_USER" "$AUTH_PASSWORD" > "$STATE_DIR/htpasswd"
  cat > "$STATE_DIR/auth-registry.yml" <<YML
version: 0.1
log: { level: error }
storage:
  filesystem: { rootdirectory: $STATE_DIR/auth-registry-data }
auth:
  htpasswd: { realm: effect-docker-test, path: $STATE_DIR/htpasswd }
http:
  addr: 127.0.0.1:$AUTH_REGISTRY_PORT
YML
  docker-registry serve "$STATE_DIR/auth-registry.yml" >"$STATE_DIR/auth-registry.log" 2>&1 &
  echo $! > "$STATE_DIR/auth-registry.pid"
  wait_for auth-registry curl -sf -u "$AUTH_USER:$AUTH_PASSWORD" "http://127.0.0.1:$AUTH_REGISTRY_PORT/v2/" ||
    die "the registry with authentication did not start"

  # An SSH server on loopback whose sessions reach an engine (DOCKER_HOST set by the server: the
  # classic one on one port, the modern one on another), with keys made here: the client's, a
  # second "wrong" one, and the server's host key.
  local s="$STATE_DIR/ssh"
  mkdir -p "$s" /run/sshd
  ssh-keygen -q -t ed25519 -N "" -f "$s/host_key"
  ssh-keygen -q -t ed25519 -N "" -f "$s/id_ed25519"
  ssh-keygen -q -t ed25519 -N "" -f "$s/wrong_key"
  cp "$s/id_ed25519.pub" "$s/authorized_keys"
  for port in "$SSH_PORT" "$MODERN_SSH_PORT"; do
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$s/host_key.pub")"
  done > "$s/known_hosts"
  cat > "$s/sshd_config" <<CONF
Port $SSH_PORT
Port $MODERN_SSH_PORT
ListenAddress 127.0.0.1
HostKey $s/host_key
PidFile $STATE_DIR/sshd.pid
AuthorizedKeysFile $s/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv DOCKER_HOST=unix://$STATE_DIR/docker.sock
Match LocalPort $MODERN_SSH_PORT
  SetEnv DOCKER_HOST=unix://$MODERN_DIR/docker.sock
CONF
  /usr/sbin/sshd -f "$s/sshd_config" -E "$STATE_DIR/sshd.log" || die "sshd did not start"
  for port in "$SSH_PORT" "$MODERN_SSH_PORT"; do
    wait_for sshd bash -c "echo > /dev/tcp/127.0.0.1/$port" || die "sshd does not listen on $port"
  done

  log "building the busybox test image offline"
  build_rootfs || die "could not build the test image"
  # Each engine has a default bridge, as users' engines do (without one, Docker 28 fails to rename
  # a container and BuildKit's RUN steps fail: "network bridge not found"). Bridges of ours, not
  # docker0, which any dockerd started with --bridge=none (the fault tests' victims) deletes.
  COMPOSE_BIN="$modern_root/usr/libexec/docker/cli-plugins/docker-compose"
  "$COMPOSE_BIN" version >/dev/null || die "forky's docker-compose does not run here: $COMPOSE_BIN"
  make_bridge "$CLASSIC_BRIDGE" 172.31.0.1/24
  ENGINE_PATH="" start_engine classic "$STATE_DIR" "$TLS_PORT" "$TCP_PORT" "$SSH_PORT" "$ENV_FILE" push \
    --bridge="$CLASSIC_BRIDGE"
  make_bridge "$MODERN_BRIDGE" 172.30.0.1/24
  ENGINE_PATH="$modern_root/usr/bin:$modern_root/usr/sbin" start_engine modern "$MODERN_DIR" \
    "$MODERN_TLS_PORT" "$MODERN_TCP_PORT" "$MODERN_SSH_PORT" "$MODERN_ENV_FILE" no --bridge="$MODERN_BRIDGE"
  echo "$ENV_FILE"
}

env_file() { # engine
  case "${1:-classic}" in
    classic) echo "$ENV_FILE" ;;
    modern) echo "$MODERN_ENV_FILE" ;;
    *) die "no engine named ${1:-}: classic or modern" ;;
  esac
}

# An engine of its own for the fault tests, which kill it (SIGKILL, as a crash) and start it again
# while the others keep serving the other tests: one per engine kind, from that engine's binaries
# (EFFECT_DOCKER_TEST_ENGINE_PATH of its env file). Its directories sit under
# $STATE_DIR/exec-victim-... so that `stop` ends and removes them with the rest.
victim_dir() { echo "$STATE_DIR/exec-victim-${1:-classic}"; }
victim_start() { # engine
  local dir engine_path
  dir=$(victim_dir "$1")
  engine_path=$(sed -n 's/^export EFFECT_DOCKER_TEST_ENGINE_PATH=//p' "$(env_file "$1")")
  mkdir -p "$dir"
  # The containerd a killed dockerd leaves behind: a new dockerd would wait for it and give up.
  pkill -KILL -f "$dir/exec" 2>/dev/null || true
  rm -f "$dir/exec/containerd/containerd.pid"
  ENGINE_PATH="$engine_path" start_dockerd "the $1 victim dockerd" "$dir" --bridge=none
  echo "$dir/docker.sock"
}
victim_kill() { # engine
  local pid dir
  dir=$(victim_dir "$1")
  pid=$(cat "$dir/dockerd.pid" 2>/dev/null) || die "the $1 victim dockerd is not running"
  kill -KILL "$pid"
  # Gone, or a zombie that nobody has reaped yet (its parent was the shell that started it).
  while [ -e "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.02; done
  rm -f "$dir/dockerd.pid"
}

# Sourced (scripts/test-swarm.sh), this file only defines its functions.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-}" in
  start) start ;;
  stop) stop; log "stopped" ;;
  status) if running; then cat "$ENV_FILE" "$MODERN_ENV_FILE"; else log "not running"; exit 1; fi ;;
  env) env_file "${2:-classic}" ;;
  victim-start) victim_start "${2:-classic}" ;;
  victim-kill) victim_kill "${2:-classic}" ;;
  swarm-start | swarm-stop | swarm-restart | swarm-env | swarm-status) exec bash "$(dirname "$0")/test-swarm.sh" "${1#swarm-}" "${@:2}" ;;
  *) echo "usage: $0 start|stop|status|env [classic|modern]|victim-start [engine]|victim-kill [engine]|swarm-start|swarm-stop|swarm-restart NODE|swarm-env|swarm-status" >&2; exit 2 ;;
esac
