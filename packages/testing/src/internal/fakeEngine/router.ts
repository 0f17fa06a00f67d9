/**
 * The fake engine's route table and its dispatch: a request's path (with or without its version
 * prefix) against each route's pattern, the engine's 404 for anything else.
 */
import * as Effect from "effect/Effect"
import * as MockTransport from "../../MockTransport.js"
import * as ContainerRoutes from "./containerRoutes.js"
import * as Exec from "./exec.js"
import * as Images from "./images.js"
import * as NetworkRoutes from "./networkRoutes.js"
import type { Answer, Route } from "./route.js"
import type { EngineState } from "./state.js"
import * as System from "./system.js"
import * as Volumes from "./volumes.js"
import { EngineFailure, fail } from "./wire.js"

const table: ReadonlyArray<Route> = [
  ...System.routes,
  ...ContainerRoutes.routes,
  ...Exec.routes,
  ...Images.routes,
  ...NetworkRoutes.routes,
  ...Volumes.routes
]

interface CompiledRoute {
  readonly methods: ReadonlyArray<string>
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
  readonly handler: Route[2]
}

/** `{id}` matches one segment, `{name+}` one or more; the rest literally. */
const compile = ([methods, pattern, handler]: Route): CompiledRoute => {
  const names: Array<string> = []
  const source = pattern.split("/").map((segment) => {
    const param = /^\{(\w+)(\+?)\}$/.exec(segment)
    if (param === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    names.push(param[1]!)
    return param[2] === "+" ? "(.+)" : "([^/]+)"
  }).join("/")
  return { methods, pattern: new RegExp(`^${source}$`), names, handler }
}

const compiled = table.map(compile)

const route = (engine: EngineState, request: MockTransport.RecordedRequest): Answer => {
  const path = request.path.replace(/^\/v\d+\.\d+/, "")
  for (const { handler, methods, names, pattern } of compiled) {
    if (!methods.includes(request.method)) continue
    const match = pattern.exec(path)
    if (match === null) continue
    const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]))
    return handler({ engine, params, query: request.query, request })
  }
  return fail(404, "page not found")
}

const toReply = (answer: MockTransport.Reply | EngineFailure): MockTransport.Reply =>
  answer instanceof EngineFailure ? MockTransport.error(answer.status, answer.message) : answer

/** Answers one request as the engine would. */
export const handle = (engine: EngineState): MockTransport.Handler => (request) => {
  const answer = route(engine, request)
  return Effect.isEffect(answer) ? Effect.map(answer, toReply) : toReply(answer)
}
