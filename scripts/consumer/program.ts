// Type-checked in the consumer project with `strict` alone, under module/moduleResolution
// nodenext, node16 and bundler: the declarations must need nothing more.
import { Docker, type DockerError, type WorkflowError } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { FakeEngine, MockTransport } from "@effect-docker/testing"
import { Effect, type Layer } from "effect"

export const exitCode: Effect.Effect<
  number,
  DockerError.DockerConnectionError | DockerError.NotFound | unknown,
  Docker.Docker
> = Effect.flatMap(Docker.Docker, (docker) => docker.containers.run({ image: "busybox", cmd: ["false"], remove: true }))
  .pipe(
    Effect.as(0),
    Effect.catchTag("ContainerExitError", (error: WorkflowError.ContainerExitError) => Effect.succeed(error.exitCode))
  )

export const layers: ReadonlyArray<Layer.Layer<Docker.Docker, unknown>> = [
  NodeDocker.layerFromEnv(),
  NodeDocker.layer({ host: "tcp://127.0.0.1:2375" }),
  MockTransport.layerDocker(() => undefined),
  FakeEngine.layerDocker({ images: [{ reference: "busybox:latest" }] })
]
