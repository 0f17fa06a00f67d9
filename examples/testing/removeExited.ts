/**
 * The program the testing guide tests (docs/testing.md): removes an app's exited containers,
 * found by label, and returns their names.
 */
import { Docker } from "@effect-docker/client"
import { Effect } from "effect"

export const removeExited = (app: string) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const exited = yield* docker.containers.list({ all: true, filters: { label: [`app=${app}`], status: ["exited"] } })
    for (const container of exited) yield* docker.containers.remove(container.Id)
    return exited.map((container) => container.Names?.[0]?.slice(1) ?? container.Id)
  })
