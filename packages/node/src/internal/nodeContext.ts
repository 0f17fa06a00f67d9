/**
 * The platform services the Node layers read files with: Node's file system and paths, no more of
 * `NodeContext` (no command executor, terminal or worker).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Layer from "effect/Layer"

export const layer = Layer.merge(NodeFileSystem.layer, NodePath.layer)
