/**
 * The Compose file format, as far as this package runs it: a `Schema` of the keys people use
 * (`services`, `networks`, `volumes`, `name`; each service's image or build, command, environment,
 * ports, volumes, networks, `depends_on`, healthcheck, restart, limits, profiles, replicas,
 * `extends`, ...). A key outside it is refused with its place in the file, never ignored;
 * extension keys (`x-...`) are allowed where the specification allows them.
 *
 * @example
 * ```ts
 * import { ComposeSpec } from "@effect-docker/compose"
 * import { Schema } from "effect"
 *
 * const file = Schema.decodeUnknownSync(ComposeSpec.ComposeFile)({ services: { web: { image: "nginx" } } })
 * ```
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

const StringOrList = Schema.Union(Schema.String, Schema.Array(Schema.String))
const Scalar = Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null)
/** `KEY=value` lines or a map of values (numbers and booleans as compose writes them). */
const ListOrDict = Schema.Union(Schema.Array(Schema.String), Schema.Record({ key: Schema.String, value: Scalar }))

/**
 * A service's build: a context folder, or its options.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Build = Schema.Union(
  Schema.String,
  Schema.Struct({
    context: Schema.optional(Schema.String),
    dockerfile: Schema.optional(Schema.String),
    args: Schema.optional(ListOrDict),
    target: Schema.optional(Schema.String),
    labels: Schema.optional(ListOrDict)
  })
)

/**
 * A published port: `"8080:80"`, `"127.0.0.1:8080:80/udp"`, `80`, or the long form.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Port = Schema.Union(
  Schema.Number,
  Schema.String,
  Schema.Struct({
    target: Schema.Number,
    published: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
    host_ip: Schema.optional(Schema.String),
    protocol: Schema.optional(Schema.Literal("tcp", "udp")),
    mode: Schema.optional(Schema.Literal("host", "ingress"))
  })
)

/**
 * A mount: `"data:/var/lib/data"`, `"./site:/srv:ro"`, or the long form.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ServiceVolume = Schema.Union(
  Schema.String,
  Schema.Struct({
    type: Schema.Literal("volume", "bind", "tmpfs"),
    source: Schema.optional(Schema.String),
    target: Schema.String,
    read_only: Schema.optional(Schema.Boolean),
    tmpfs: Schema.optional(Schema.Struct({ size: Schema.optional(Schema.Union(Schema.Number, Schema.String)) }))
  })
)

/**
 * A health check; durations as compose writes them (`"1m30s"`, `"500ms"`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Healthcheck = Schema.Struct({
  test: Schema.optional(StringOrList),
  interval: Schema.optional(Schema.String),
  timeout: Schema.optional(Schema.String),
  retries: Schema.optional(Schema.Number),
  start_period: Schema.optional(Schema.String),
  start_interval: Schema.optional(Schema.String),
  disable: Schema.optional(Schema.Boolean)
})

/**
 * What a service waits for in a service it depends on.
 *
 * @since 0.2.0
 * @category schemas
 */
export const DependsOnCondition = Schema.Literal("service_started", "service_healthy", "service_completed_successfully")

/**
 * A service.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Service = Schema.Struct({
  image: Schema.optional(Schema.String),
  build: Schema.optional(Build),
  command: Schema.optional(Schema.NullOr(StringOrList)),
  entrypoint: Schema.optional(Schema.NullOr(StringOrList)),
  environment: Schema.optional(ListOrDict),
  env_file: Schema.optional(StringOrList),
  ports: Schema.optional(Schema.Array(Port)),
  expose: Schema.optional(Schema.Array(Schema.Union(Schema.String, Schema.Number))),
  volumes: Schema.optional(Schema.Array(ServiceVolume)),
  networks: Schema.optional(Schema.Union(
    Schema.Array(Schema.String),
    Schema.Record({
      key: Schema.String,
      value: Schema.NullOr(Schema.Struct({ aliases: Schema.optional(Schema.Array(Schema.String)) }))
    })
  )),
  depends_on: Schema.optional(Schema.Union(
    Schema.Array(Schema.String),
    Schema.Record({
      key: Schema.String,
      value: Schema.Struct({
        condition: Schema.optional(DependsOnCondition),
        required: Schema.optional(Schema.Boolean),
        restart: Schema.optional(Schema.Boolean)
      })
    })
  )),
  healthcheck: Schema.optional(Healthcheck),
  restart: Schema.optional(Schema.Literal("no", "always", "on-failure", "unless-stopped")),
  labels: Schema.optional(ListOrDict),
  user: Schema.optional(Schema.String),
  working_dir: Schema.optional(Schema.String),
  hostname: Schema.optional(Schema.String),
  container_name: Schema.optional(Schema.String),
  tmpfs: Schema.optional(StringOrList),
  privileged: Schema.optional(Schema.Boolean),
  stop_grace_period: Schema.optional(Schema.String),
  deploy: Schema.optional(Schema.Struct({
    replicas: Schema.optional(Schema.Number),
    resources: Schema.optional(Schema.Struct({
      limits: Schema.optional(Schema.Struct({
        cpus: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
        memory: Schema.optional(Schema.String),
        pids: Schema.optional(Schema.Number)
      })),
      reservations: Schema.optional(Schema.Struct({ memory: Schema.optional(Schema.String) }))
    }))
  })),
  scale: Schema.optional(Schema.Number),
  profiles: Schema.optional(Schema.Array(Schema.String)),
  extends: Schema.optional(Schema.Union(
    Schema.String,
    Schema.Struct({ service: Schema.String })
  ))
})

/**
 * A service as written.
 *
 * @since 0.2.0
 * @category models
 */
export type Service = typeof Service.Type

/**
 * A top-level network.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Network = Schema.NullOr(Schema.Struct({
  name: Schema.optional(Schema.String),
  driver: Schema.optional(Schema.String),
  driver_opts: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  external: Schema.optional(Schema.Boolean),
  internal: Schema.optional(Schema.Boolean),
  labels: Schema.optional(ListOrDict)
}))

/**
 * A top-level volume.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Volume = Schema.NullOr(Schema.Struct({
  name: Schema.optional(Schema.String),
  driver: Schema.optional(Schema.String),
  driver_opts: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  external: Schema.optional(Schema.Boolean),
  labels: Schema.optional(ListOrDict)
}))

/**
 * A Compose file.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ComposeFile = Schema.Struct({
  /** Obsolete in the specification; accepted and unused, as docker compose does. */
  version: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  services: Schema.Record({ key: Schema.String, value: Service }),
  networks: Schema.optional(Schema.Record({ key: Schema.String, value: Network })),
  volumes: Schema.optional(Schema.Record({ key: Schema.String, value: Volume }))
}).annotations({ identifier: "ComposeFile" })

/**
 * A Compose file as written.
 *
 * @since 0.2.0
 * @category models
 */
export type ComposeFile = typeof ComposeFile.Type
