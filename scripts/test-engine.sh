#!/usr/bin/env bash
# Starts and stops the project's private Docker engine for tests, examples and benchmarks:
# a dockerd on a Unix socket and on loopback TLS, a plain-TCP forward to it, a registry (and one
# with htpasswd authentication) on loopback, an SSH server that reaches the engine, and the
# offline busybox test image. Nothing here talks to the internet.
#
#   scripts/test-engine.sh start   # prints the env file path; `source` it for DOCKER_HOST etc.
#   scripts/test-engine.sh stop
#   scripts/test-engine.sh status
set -euo pipefail

STATE_DIR=${EFFECT_DOCKER_ENGINE_DIR:-/tmp/effect-docker-engine}
TLS_PORT=${EFFECT_DOCKER_TLS_PORT:-23760}
TCP_PORT=${EFFECT_DOCKER_TCP_PORT:-23750}
REGISTRY_PORT=${EFFECT_DOCKER_REGISTRY_PORT:-25000}
AUTH_REGISTRY_PORT=${EFFECT_DOCKER_AUTH_REGISTRY_PORT:-25001}
SSH_PORT=${EFFECT_DOCKER_SSH_PORT:-22220}
# The user and password of the registry with htpasswd authentication (test material, not a secret).
AUTH_USER=effect
AUTH_PASSWORD=registry-password-42
ENV_FILE="$STATE_DIR/engine.env"

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
  kill_pidfile "$STATE_DIR/registry.pid"
  kill_pidfile "$STATE_DIR/auth-registry.pid"
  kill_pidfile "$STATE_DIR/sshd.pid"
  kill_pidfile "$STATE_DIR/dockerd.pid"
  kill_pidfile "$STATE_DIR/exec-victim/dockerd.pid"
  # dockerd's own containerd and shims outlive a crashed dockerd; end the ones under our root.
  pkill -f "$STATE_DIR/exec" 2>/dev/null || true
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
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; install them or run as root"
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
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
# iptables, no default bridge, vfs); waits until it answers, or dies with its log.
start_dockerd() { # name, dir, more dockerd arguments...
  local name=$1 dir=$2; shift 2
  dockerd --host "unix://$dir/docker.sock" --data-root "$dir/root" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" --iptables=false --ip-masq=false --bridge=none --storage-driver=vfs "$@" \
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

build_test_image() {
  local rootfs="$STATE_DIR/rootfs" bb
  bb=$(command -v busybox || echo /bin/busybox)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
  cp "$bb" "$rootfs/bin/busybox"
  for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  tar -C "$rootfs" -cf "$STATE_DIR/rootfs.tar" .
  local image="127.0.0.1:$REGISTRY_PORT/effect-docker/busybox:latest"
  DOCKER_HOST="unix://$STATE_DIR/docker.sock" docker import --change 'CMD ["sh"]' "$STATE_DIR/rootfs.tar" "$image" >/dev/null
  DOCKER_HOST="unix://$STATE_DIR/docker.sock" docker tag "$image" busybox:latest
  DOCKER_HOST="unix://$STATE_DIR/docker.sock" docker push "$image" >/dev/null
}

running() {
  [ -f "$ENV_FILE" ] && [ -S "$STATE_DIR/docker.sock" ] &&
    curl -sf --max-time 5 --unix-socket "$STATE_DIR/docker.sock" http://localhost/_ping >/dev/null 2>&1
}

start() {
  if running; then
    log "reusing the running engine in $STATE_DIR"
    echo "$ENV_FILE"; return 0
  fi
  stop # whatever a crashed run left behind
  install_packages
  mkdir -p "$STATE_DIR"
  make_certs

  local c="$STATE_DIR/certs"
  log "starting dockerd in $STATE_DIR"
  start_dockerd dockerd "$STATE_DIR" --host "tcp://127.0.0.1:$TLS_PORT" \
    --tlsverify --tlscacert "$c/ca.pem" --tlscert "$c/server-cert.pem" --tlskey "$c/server-key.pem"

  # Plain TCP: dockerd applies TLS to every TCP listener, so forward a loopback port to the socket.
  socat "TCP-LISTEN:$TCP_PORT,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$STATE_DIR/docker.sock" \
    >"$STATE_DIR/socat.log" 2>&1 &
  echo $! > "$STATE_DIR/socat.pid"
  wait_for socat curl -sf "http://127.0.0.1:$TCP_PORT/_ping" || die "the plain TCP forward did not start"

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

  # An SSH server on loopback whose sessions reach this engine (DOCKER_HOST set by the server),
  # with keys made here: the client's, a second "wrong" one, and the server's host key.
  local s="$STATE_DIR/ssh"
  mkdir -p "$s" /run/sshd
  ssh-keygen -q -t ed25519 -N "" -f "$s/host_key"
  ssh-keygen -q -t ed25519 -N "" -f "$s/id_ed25519"
  ssh-keygen -q -t ed25519 -N "" -f "$s/wrong_key"
  cp "$s/id_ed25519.pub" "$s/authorized_keys"
  echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$s/host_key.pub")" > "$s/known_hosts"
  cat > "$s/sshd_config" <<CONF
Port $SSH_PORT
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
CONF
  /usr/sbin/sshd -f "$s/sshd_config" -E "$STATE_DIR/sshd.log" || die "sshd did not start"
  wait_for sshd bash -c "echo > /dev/tcp/127.0.0.1/$SSH_PORT" || die "sshd does not listen on $SSH_PORT"

  log "building the busybox test image offline"
  build_test_image || die "could not build the test image"

  cat > "$ENV_FILE" <<ENV
export EFFECT_DOCKER_TEST_SOCKET=$STATE_DIR/docker.sock
export EFFECT_DOCKER_TEST_TCP=tcp://127.0.0.1:$TCP_PORT
export EFFECT_DOCKER_TEST_TLS=tcp://127.0.0.1:$TLS_PORT
export EFFECT_DOCKER_TEST_CERTS=$c
export EFFECT_DOCKER_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT
export EFFECT_DOCKER_TEST_IMAGE=127.0.0.1:$REGISTRY_PORT/effect-docker/busybox:latest
export EFFECT_DOCKER_TEST_AUTH_REGISTRY=127.0.0.1:$AUTH_REGISTRY_PORT
export EFFECT_DOCKER_TEST_AUTH_USER=$AUTH_USER
export EFFECT_DOCKER_TEST_AUTH_PASSWORD=$AUTH_PASSWORD
export EFFECT_DOCKER_TEST_SSH=ssh://$(id -un)@127.0.0.1:$SSH_PORT
export EFFECT_DOCKER_TEST_SSH_DIR=$s
ENV
  log "engine ready"
  echo "$ENV_FILE"
}

# A second engine of its own for the fault tests, which kill it (SIGKILL, as a crash) and start it
# again while the main engine keeps serving the other tests. Its directories sit under
# $STATE_DIR/exec-victim... so that `stop` ends and removes them with the rest.
VICTIM="$STATE_DIR/exec-victim"
victim_start() {
  mkdir -p "$VICTIM"
  # The containerd a killed dockerd leaves behind: a new dockerd would wait for it and give up.
  pkill -KILL -f "$VICTIM/exec" 2>/dev/null || true
  rm -f "$VICTIM/exec/containerd/containerd.pid"
  start_dockerd "the victim dockerd" "$VICTIM"
  echo "$VICTIM/docker.sock"
}
victim_kill() {
  local pid
  pid=$(cat "$VICTIM/dockerd.pid" 2>/dev/null) || die "the victim dockerd is not running"
  kill -KILL "$pid"
  # Gone, or a zombie that nobody has reaped yet (its parent was the shell that started it).
  while [ -e "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.02; done
  rm -f "$VICTIM/dockerd.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop; log "stopped" ;;
  status) if running; then cat "$ENV_FILE"; else log "not running"; exit 1; fi ;;
  victim-start) victim_start ;;
  victim-kill) victim_kill ;;
  *) echo "usage: $0 start|stop|status|victim-start|victim-kill" >&2; exit 2 ;;
esac
