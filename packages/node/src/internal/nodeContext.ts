/**
 * The platform services the Node layers read files with: Node's file system and paths, no more of
 * `NodeContext` (no command executor, terminal or worker). Loaded when a layer first needs them
 * (the docker CLI's configuration, an SSH tunnel): a program that names its host pays nothing for
 * them at import (about 150 ms and 12 MiB here, bench/load.ts).
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export const layer: Layer.Layer<FileSystem.FileSystem | Path.Path> = Layer.unwrapEffect(
  Effect.promise(async () => {
    const [NodeFileSystem, NodePath] = await Promise.all([
      import("@effect/platform-node/NodeFileSystem"),
      import("@effect/platform-node/NodePath")
    ])
    return Layer.merge(NodeFileSystem.layer, NodePath.layer)
  })
)
