/**
 * A benchmark bundled to JavaScript, to run with plain `node`: what users run, without a
 * TypeScript loader's own code (tsx keeps function names with a helper call per closure made,
 * which costs the client under test more than the raw clients beside it).
 */
import * as Path from "node:path"

/**
 * Bundles `entry` to `bench/.build/<name>.mjs` (a chunk per client library; dockerode and native
 * addons left outside: ssh2 loads its optional ones in a try) and returns that path.
 */
export const bundle = async (name: string, entry: string): Promise<string> => {
  const outdir = Path.join(import.meta.dirname, ".build")
  const Esbuild = await import("esbuild")
  await Esbuild.build({
    entryPoints: { [name]: entry },
    outdir,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["dockerode", "esbuild", "cpu-features", "*.node"],
    // CommonJS dependencies (undici, ssh2) require Node's modules and use __dirname.
    banner: {
      js: [
        "import { createRequire } from \"node:module\";",
        "import { fileURLToPath as __fileURLToPath } from \"node:url\";",
        "const require = createRequire(import.meta.url);",
        "const __filename = __fileURLToPath(import.meta.url);",
        "const __dirname = __filename.slice(0, __filename.lastIndexOf(\"/\"));"
      ].join(" ")
    },
    logLevel: "error"
  })
  return Path.join(outdir, `${name}.mjs`)
}

/** Node flags for a benchmark's child processes, to profile them: `CHILD_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/x"`. */
export const childFlags = (): Array<string> =>
  process.env.CHILD_FLAGS?.split(" ").filter((flag) => flag.length > 0) ?? []

/** The bench directory, from a module here or from its bundle in `.build`. */
export const benchDir = (dirname: string): string =>
  Path.basename(dirname) === ".build" ? Path.dirname(dirname) : dirname
