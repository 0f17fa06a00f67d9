/**
 * A route of the fake engine: a method, a path pattern in the specification's notation, and the
 * handler that answers it.
 */
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import type * as MockTransport from "../../MockTransport.js"
import type { EngineState } from "./state.js"
import { decodeBody, type EngineFailure } from "./wire.js"

/** What a handler answers: a reply, the engine's failure, or either once something happened. */
export type Answer = MockTransport.Reply | EngineFailure | Effect.Effect<MockTransport.Reply | EngineFailure>

export interface RouteRequest {
  readonly engine: EngineState
  /** The path's parameters, decoded, by the names the pattern gives them. */
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly request: MockTransport.RecordedRequest
}

/**
 * `[methods, pattern, handler]`. In a pattern, `{id}` matches one path segment and `{name+}` one
 * or more (image names have slashes).
 */
export type Route = readonly [
  methods: ReadonlyArray<"GET" | "HEAD" | "POST" | "PUT" | "DELETE">,
  pattern: string,
  handler: (request: RouteRequest) => Answer
]

/** Answers with the request body decoded by `schema`, or the engine's 400. */
export const withBody = <A, I>(
  schema: Schema.Schema<A, I>,
  request: MockTransport.RecordedRequest,
  f: (body: A) => Answer
): Answer => Either.match(decodeBody(schema, request.text), { onLeft: (e) => e, onRight: f })
