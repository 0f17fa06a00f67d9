import { Docker, Readiness } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Crypto from "node:crypto"
import * as Path from "node:path"
import type { Build, Definition } from "../TestContainer.js"
import { managedLabel, TestSession } from "../TestSession.js"
import { networkName, reuseHash, reuseLabel, toRunOptions } from "./definition.js"
import * as Started from "./started.js"

const liveClock = Clock.make()

/** The definition's readiness for `host`, within its startup timeout. */
export const readinessOf = (definition: Definition, host: string): Readiness.Readiness | undefined =>
  definition.wait === undefined
    ? undefined
    : Readiness.withTimeout(definition.wait.readiness({ host }), definition.startupTimeout ?? Duration.seconds(60))

/** Builds the image of a definition; its default tag is made of what the build depends on. */
const buildImage = (build: Build) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const tag = build.tag ?? `tc-build-${
      Crypto.createHash("sha256")
        .update(JSON.stringify([Path.resolve(build.context), build.dockerfile, build.buildArgs, build.target]))
        .digest("hex")
        .slice(0, 16)
    }:latest`
    const { context, dockerfile } = yield* Tar.buildContext(
      build.context,
      build.dockerfile === undefined ? {} : { dockerfile: build.dockerfile }
    )
    yield* docker.images.build(context, {
      dockerfile,
      tags: [tag],
      labels: { [managedLabel]: "true" },
      ...(build.buildArgs !== undefined ? { buildArgs: build.buildArgs } : {}),
      ...(build.target !== undefined ? { target: build.target } : {})
    })
    return tag
  }).pipe(
    Effect.withSpan("testcontainers.build", { kind: "internal", attributes: { "docker.build.context": build.context } })
  )

/** A container an earlier start of the same reusable definition made. */
const findReusable = (docker: Docker.Docker["Type"], hash: string) =>
  Effect.map(
    docker.containers.list({ all: true, filters: { label: [`${reuseLabel}=${hash}`] } }),
    (found) => Option.fromNullable(found[0]?.Id)
  )

/** Copies the files in and joins the networks after the first: what happens between create and start. */
const prepare = (docker: Docker.Docker["Type"], id: string, definition: Definition) =>
  Effect.zipRight(
    Started.copyTo(docker, id, definition.files ?? []),
    Effect.forEach(
      (definition.networks ?? []).slice(1),
      (attachment) =>
        docker.networks.connect(networkName(attachment.network), {
          Container: id,
          EndpointConfig: { Aliases: [...(attachment.aliases ?? [])] }
        }),
      { discard: true }
    )
  )

/** Starts the container (one already running is fine), waits for it, and makes the handle. */
const startAndWait = (
  docker: Docker.Docker["Type"],
  id: string,
  definition: Definition,
  host: string,
  reused: boolean
) =>
  Effect.gen(function*() {
    yield* docker.containers.start(id).pipe(Effect.catchTag("NotModified", () => Effect.void))
    const readiness = readinessOf(definition, host)
    if (readiness !== undefined) {
      // A container keeps real time: under @effect/vitest's TestClock the polls and timeouts
      // would never come, so the wait runs on the live clock whatever the test provides.
      yield* Readiness.wait({ id, containers: docker.containers, exec: docker.exec }, readiness).pipe(
        Effect.withClock(liveClock)
      )
    }
    const info = yield* docker.containers.inspect(id)
    yield* Effect.annotateCurrentSpan({ "docker.container.id": id, "testcontainers.reused": reused })
    return Started.make(docker, { host, info, reused })
  })

/** See `TestContainer.start`. */
export const start = (definition: Definition) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const session = yield* TestSession
    const image = typeof definition.image === "string" ? definition.image : yield* buildImage(definition.image)
    if (definition.reuse === true) {
      // No session label: the reaper leaves it, and so does the scope.
      const options = toRunOptions(definition, image, { [managedLabel]: "true" })
      const hash = yield* reuseHash(options, definition)
      const found = yield* findReusable(docker, hash)
      if (Option.isSome(found)) return yield* startAndWait(docker, found.value, definition, session.host, true)
      const labelled = {
        ...options,
        labels: { ...options.labels, [reuseLabel]: hash },
        name: definition.name ?? `tc-reuse-${hash.slice(0, 16)}`
      }
      // Right: made now. Left: another process made it in between (the name is the hash's), or
      // the create fails when the name is some other container's.
      const created = yield* docker.containers.createWith(labelled).pipe(
        Effect.map(({ Id }) => Either.right(Id)),
        Effect.catchTag("Conflict", (conflict) =>
          Effect.flatMap(
            findReusable(docker, hash),
            Option.match({
              onNone: () => Effect.fail(conflict),
              onSome: (id) => Effect.succeed(Either.left(id))
            })
          ))
      )
      if (Either.isLeft(created)) return yield* startAndWait(docker, created.left, definition, session.host, true)
      yield* prepare(docker, created.right, definition)
      return yield* startAndWait(docker, created.right, definition, session.host, false)
    }
    const options = toRunOptions(definition, image, session.labels)
    // Released as docker.containers.scoped releases: a throwaway container is killed at once.
    const { Id } = yield* docker.containers.createScoped({
      ...options,
      stopTimeout: definition.stopTimeout ?? 0,
      removeVolumes: definition.removeVolumes ?? true,
      onReleaseError: definition.onReleaseError
    })
    yield* prepare(docker, Id, definition)
    return yield* startAndWait(docker, Id, definition, session.host, false)
  })
