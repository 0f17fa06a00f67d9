/**
 * A Compose project: a file read, interpolated (`${VAR:-default}`, the folder's `.env`), checked
 * against the keys this package runs (`ComposeSpec`), with `extends` applied, profiles chosen,
 * and every service's ports, mounts, networks, dependencies and limits in one shape. A file that
 * cannot be run fails with a {@link ComposeFileError} naming the key and its line.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ComposeProject } from "@effect-docker/compose"
 *
 * const project = ComposeProject.load("./compose.yaml", { env: { TAG: "1.2" } })
 * // Effect<Project, ComposeFileError>: project.services[0].name, .ports, .dependsOn, ...
 * ```
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Yaml from "yaml"
import * as ComposeSpec from "./ComposeSpec.js"
import * as Interpolate from "./internal/interpolate.js"
import { Invalid } from "./internal/normalize.js"
import * as Normalize from "./internal/project.js"

/**
 * A file that cannot be run: its path, the key (`services.web.ports[0]`), where it is, and why.
 *
 * @since 0.2.0
 * @category errors
 */
export class ComposeFileError extends Schema.TaggedError<ComposeFileError>(
  "@effect-docker/compose/ComposeFileError"
)("ComposeFileError", {
  file: Schema.String,
  key: Schema.String,
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number),
  message: Schema.String
}) {}

/**
 * A published port.
 *
 * @since 0.2.0
 * @category models
 */
export interface PortBinding {
  readonly target: number
  /** The host port; `undefined` for one the engine picks. */
  readonly published: string | undefined
  readonly hostIp: string | undefined
  readonly protocol: "tcp" | "udp"
}

/**
 * A mount: a volume of the project (by its key in the file) or an anonymous one, a bind of an
 * absolute host path, or a tmpfs.
 *
 * @since 0.2.0
 * @category models
 */
export interface Mount {
  readonly type: "volume" | "bind" | "tmpfs"
  readonly source: string | undefined
  readonly target: string
  readonly readOnly: boolean
}

/**
 * A service, read.
 *
 * @since 0.2.0
 * @category models
 */
export interface ProjectService {
  readonly name: string
  readonly image: string | undefined
  readonly build: {
    readonly context: string
    readonly dockerfile: string | undefined
    readonly args: Readonly<Record<string, string>>
    readonly target: string | undefined
  } | undefined
  readonly command: ReadonlyArray<string> | string | undefined
  readonly entrypoint: ReadonlyArray<string> | string | undefined
  readonly environment: Readonly<Record<string, string>>
  readonly ports: ReadonlyArray<PortBinding>
  readonly expose: ReadonlyArray<string>
  readonly volumes: ReadonlyArray<Mount>
  /** The project networks it joins (by key), with its aliases. */
  readonly networks: Readonly<Record<string, { readonly aliases: ReadonlyArray<string> }>>
  readonly dependsOn: Readonly<
    Record<string, { readonly condition: typeof ComposeSpec.DependsOnCondition.Type; readonly required: boolean }>
  >
  readonly healthcheck: {
    readonly test: ReadonlyArray<string> | undefined
    readonly intervalMillis: number | undefined
    readonly timeoutMillis: number | undefined
    readonly retries: number | undefined
    readonly startPeriodMillis: number | undefined
    readonly startIntervalMillis: number | undefined
  } | undefined
  readonly restart: "no" | "always" | "on-failure" | "unless-stopped" | undefined
  readonly labels: Readonly<Record<string, string>>
  readonly user: string | undefined
  readonly workingDir: string | undefined
  readonly hostname: string | undefined
  readonly containerName: string | undefined
  readonly tmpfs: ReadonlyArray<string>
  readonly privileged: boolean
  readonly stopGracePeriodMillis: number | undefined
  readonly limits: {
    readonly nanoCpus: number | undefined
    readonly memory: string | undefined
    readonly pids: number | undefined
    readonly memoryReservation: string | undefined
  }
  readonly replicas: number
}

/**
 * A network of the project: its engine name (`<project>_<key>`, or its own `name`).
 *
 * @since 0.2.0
 * @category models
 */
export interface ProjectNetwork {
  readonly key: string
  readonly name: string
  readonly external: boolean
  readonly driver: string | undefined
  readonly driverOpts: Readonly<Record<string, string>>
  readonly internal: boolean
  readonly labels: Readonly<Record<string, string>>
}

/**
 * A volume of the project: its engine name (`<project>_<key>`, or its own `name`).
 *
 * @since 0.2.0
 * @category models
 */
export interface ProjectVolume {
  readonly key: string
  readonly name: string
  readonly external: boolean
  readonly driver: string | undefined
  readonly driverOpts: Readonly<Record<string, string>>
  readonly labels: Readonly<Record<string, string>>
}

/**
 * A project, read: the services of the active profiles, in the file's order.
 *
 * @since 0.2.0
 * @category models
 */
export interface Project {
  readonly name: string
  readonly workingDir: string
  readonly files: ReadonlyArray<string>
  readonly services: ReadonlyArray<ProjectService>
  readonly networks: Readonly<Record<string, ProjectNetwork>>
  readonly volumes: Readonly<Record<string, ProjectVolume>>
  /** The services in an order where each follows what it depends on. */
  readonly startOrder: ReadonlyArray<string>
}

/**
 * Options of {@link parse} and {@link load}.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The project's name; default the file's `name`, else its folder's. */
  readonly name?: string | undefined
  /** Variables for interpolation, over the folder's `.env` and this process's environment. */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Profiles to enable; services with none are always on. */
  readonly profiles?: ReadonlyArray<string> | undefined
  /** Where relative paths start; default the file's folder. */
  readonly workingDir?: string | undefined
}

const keyOf = (path: Interpolate.Path) =>
  path.reduce<string>(
    (text, part) => typeof part === "number" ? `${text}[${part}]` : text === "" ? part : `${text}.${part}`,
    ""
  )

/**
 * Reads a Compose file's text as a project.
 *
 * @example
 * ```ts
 * import { ComposeProject } from "@effect-docker/compose"
 *
 * const project = ComposeProject.parse("services:\n  web:\n    image: busybox\n", { name: "demo", workingDir: "/srv" })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const parse = (
  text: string,
  options: Options & { readonly file?: string | undefined } = {}
): Effect.Effect<Project, ComposeFileError> =>
  Effect.try({
    try: () => {
      const file = options.file ?? "compose.yaml"
      const workingDir = Path.resolve(options.workingDir ?? Path.dirname(file))
      const lines = new Yaml.LineCounter()
      const document = Yaml.parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: true })
      const fail = (path: Interpolate.Path, message: string): never => {
        const node = Yaml.isCollection(document.contents)
          ? locate(document, path)
          : undefined
        const position = node === undefined ? undefined : lines.linePos(node)
        throw new ComposeFileError({
          file,
          key: keyOf(path),
          ...(position === undefined ? {} : { line: position.line, column: position.col }),
          message: `${file}${position === undefined ? "" : `:${position.line}:${position.col}`}: ` +
            `${keyOf(path) === "" ? "" : `${keyOf(path)}: `}${message}`
        })
      }
      const [error] = document.errors
      if (error !== undefined) {
        const position = lines.linePos(error.pos[0])
        throw new ComposeFileError({
          file,
          key: "",
          line: position.line,
          column: position.col,
          message: `${file}:${position.line}:${position.col}: not YAML: ${error.message.split("\n")[0]}`
        })
      }
      const dotEnv = Path.join(workingDir, ".env")
      const env: Record<string, string | undefined> = {
        ...(Fs.existsSync(dotEnv) ? Interpolate.parseEnvFile(Fs.readFileSync(dotEnv, "utf8")) : {}),
        ...process.env,
        ...options.env
      }
      const raw = withoutExtensions(document.toJS())
      const interpolated = Interpolate.interpolate(raw, env, (path, cause) =>
        fail(path, cause instanceof Interpolate.MissingVariable ? cause.message : cause.message))
      const decoded = Schema.decodeUnknownEither(ComposeSpec.ComposeFile, {
        onExcessProperty: "error",
        errors: "first"
      })(
        interpolated
      )
      if (decoded._tag === "Left") {
        const [issue] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
        const path = (issue?.path ?? []) as Interpolate.Path
        const message = issue?.message ?? "is not valid"
        return fail(path, /is unexpected/.test(message) ? `the key is not supported (${message})` : message)
      }
      try {
        return Normalize.project(decoded.right, {
          name: options.name,
          profiles: options.profiles,
          file,
          workingDir,
          env
        })
      } catch (cause) {
        if (cause instanceof Invalid) {
          return fail(cause.path, cause.message)
        }
        throw cause
      }
    },
    catch: (cause) =>
      cause instanceof ComposeFileError
        ? cause
        : new ComposeFileError({ file: options.file ?? "compose.yaml", key: "", message: String(cause) })
  })

/** The node at `path` in the document (a key's own node for a key that is not expected), as an offset. */
const locate = (document: Yaml.Document, path: Interpolate.Path): number | undefined => {
  for (let depth = path.length; depth >= 0; depth--) {
    const parent = depth === 0 ? document.contents : document.getIn(path.slice(0, depth - 1), true)
    const last = path[depth - 1]
    if (depth > 0 && Yaml.isMap(parent)) {
      const pair = parent.items.find((item) => Yaml.isScalar(item.key) && item.key.value === last)
      const range = (pair?.key as Yaml.Scalar | undefined)?.range
      if (range !== undefined && range !== null) return range[0]
    }
    const node = document.getIn(path.slice(0, depth), true) as Yaml.Node | undefined
    if (node?.range !== undefined && node.range !== null) return node.range[0]
  }
  return undefined
}

/** The file without `x-` extension keys, at the top and in services, networks and volumes. */
const withoutExtensions = (value: unknown): unknown => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value
  const strip = (object: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith("x-")))
  const top = strip(value as Record<string, unknown>)
  for (const section of ["services", "networks", "volumes"]) {
    const entries = top[section]
    if (entries !== null && typeof entries === "object" && !Array.isArray(entries)) {
      top[section] = Object.fromEntries(
        Object.entries(entries).map(([key, item]) => [
          key,
          item !== null && typeof item === "object" && !Array.isArray(item)
            ? strip(item as Record<string, unknown>)
            : item
        ])
      )
    }
  }
  return top
}

/**
 * Reads a Compose file from disk (with the `.env` of its folder) as a project.
 *
 * @example
 * ```ts
 * import { ComposeProject } from "@effect-docker/compose"
 *
 * const project = ComposeProject.load("./compose.yaml", { profiles: ["debug"] })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const load = (file: string, options: Options = {}): Effect.Effect<Project, ComposeFileError> =>
  Effect.flatMap(
    Effect.try({
      try: () => Fs.readFileSync(file, "utf8"),
      catch: (cause) => new ComposeFileError({ file, key: "", message: `cannot read ${file}: ${String(cause)}` })
    }),
    (text) => parse(text, { ...options, file: Path.resolve(file) })
  )
