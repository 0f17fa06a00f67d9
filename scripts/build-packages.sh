#!/usr/bin/env bash
# Builds each package as Effect's own packages ship: `tsc -b` of its tsconfig.build.json writes
# ES modules with source maps (dist/esm) and declarations with declaration maps (dist/dts); babel
# annotates pure calls (so that bundlers drop what a program does not use) and writes the
# CommonJS copy (dist/cjs, with its own declarations). The packed package.json points its exports
# there (publishConfig): `import` to dist/esm and dist/dts, `require` to dist/cjs.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(client node testing testcontainers compose bun deno)
for p in "${packages[@]}"; do rm -rf "packages/$p/dist"; done
npx tsc -b $(printf "packages/%s/tsconfig.build.json " "${packages[@]}")

for p in "${packages[@]}"; do
  dist="packages/$p/dist"
  npx babel "$dist/esm" --out-dir "$dist/esm" --plugins annotate-pure-calls --source-maps --quiet
  npx babel "$dist/esm" --out-dir "$dist/cjs" --source-maps --quiet \
    --plugins @babel/plugin-transform-export-namespace-from --plugins @babel/plugin-transform-modules-commonjs
  # The CommonJS copy's declarations beside it, where its package.json makes them CommonJS ones
  # (those of dist/dts are ES module declarations, as the package's type says).
  (cd "$dist/dts" && find . \( -name '*.d.ts' -o -name '*.d.ts.map' \) -exec cp --parents {} ../cjs \;)
  # A command is an ES module only.
  rm -f "$dist/cjs/bin.js" "$dist/cjs/bin.js.map" "$dist/cjs/bin.d.ts" "$dist/cjs/bin.d.ts.map"
  echo '{ "type": "module", "sideEffects": [] }' > "$dist/esm/package.json"
  echo '{ "type": "commonjs", "sideEffects": [] }' > "$dist/cjs/package.json"
  rm -f "$dist/.tsbuildinfo"
done
echo "built ${packages[*]}"
