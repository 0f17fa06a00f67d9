/** Files that may be absent: the docker CLI's configuration, SSH's config and known hosts. */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"

/** What `read` gives for `file`, or `undefined` when there is no such file. */
export const readIfExists = <A, E>(
  fs: FileSystem.FileSystem,
  file: string,
  read: (fs: FileSystem.FileSystem) => Effect.Effect<A, E>
) => Effect.flatMap(fs.exists(file), (exists) => exists ? read(fs) : Effect.succeed(undefined))
