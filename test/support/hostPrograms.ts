/**
 * Host programs for images built offline from busybox: a dynamically linked program with the
 * shared libraries `ldd` names (the loader among them), at their own paths.
 */
import type { Tar } from "@effect-docker/node"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"

/** The program and each library it loads, by their paths on this machine. */
export const programFiles = (program: string): ReadonlyArray<string> => [
  program,
  ...Array.from(
    ChildProcess.execFileSync("ldd", [program], { encoding: "utf8" }).matchAll(/(\/\S+) \(0x/g),
    (match) => match[1]!
  )
]

/** {@link programFiles} as executable tar entries under `prefix` (`rootfs/usr/bin/...`). */
export const withLibraries = (program: string, prefix: string): Record<string, Tar.FileContent> =>
  Object.fromEntries(
    programFiles(program).map((path) => [`${prefix}${path}`, { content: Fs.readFileSync(path), mode: 0o755 }])
  )
