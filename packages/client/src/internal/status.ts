/** An engine's non-2xx answer as its tagged error, with the engine's message. */
import {
  BadRequest,
  Conflict,
  type EngineStatusError,
  Forbidden,
  NotFound,
  NotModified,
  type ResourceKind,
  ServerError,
  ServiceUnavailable,
  Unauthorized,
  UnexpectedStatus
} from "../DockerError.js"

const decoder = new TextDecoder()

const notFoundPatterns: ReadonlyArray<readonly [RegExp, ResourceKind]> = [
  [/no such container/i, "container"],
  [/no such image|reference does not exist|manifest unknown|pull access denied|repository .* not found/i, "image"],
  [/no such exec/i, "exec"],
  [/no such network|network .* not found/i, "network"],
  [/no such volume|volume .* not found/i, "volume"],
  [/node .* not found/i, "node"],
  [/service .* not found/i, "service"],
  [/task .* not found/i, "task"],
  [/secret .* not found/i, "secret"],
  [/config .* not found/i, "config"],
  [/plugin .* not found/i, "plugin"],
  [/no such file or directory|could not find the file/i, "path"]
]

const messageOf = (status: number, body: Uint8Array): string => {
  const text = decoder.decode(body).trim()
  if (text === "") return `the engine answered ${status} with no message`
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as any).message === "string") {
      return (parsed as { message: string }).message
    }
    return `the engine answered ${status} with no message`
  } catch {
    // Not JSON (a proxy's page, an old engine's plain text): keep it readable and short.
    return text.length > 500 ? `${text.slice(0, 500)}...` : text
  }
}

export const statusError = (
  method: string,
  path: string,
  status: number,
  body: Uint8Array,
  resource: ResourceKind | undefined,
  expect?: ReadonlyArray<number>
): EngineStatusError => {
  const fields = { message: messageOf(status, body), status, method, path }
  if (expect !== undefined && !expect.includes(status)) return new UnexpectedStatus(fields)
  switch (status) {
    case 304:
      return new NotModified({ ...fields, message: body.length === 0 ? "not modified" : fields.message })
    case 400:
      return new BadRequest(fields)
    case 401:
      return new Unauthorized(fields)
    case 403:
      return new Forbidden(fields)
    case 404: {
      const match = notFoundPatterns.find(([pattern]) => pattern.test(fields.message))
      return new NotFound({ ...fields, resource: match?.[1] ?? resource ?? "resource" })
    }
    case 409:
      return new Conflict(fields)
    case 500:
      return new ServerError(fields)
    case 503:
      return new ServiceUnavailable(fields)
    default:
      return new UnexpectedStatus(fields)
  }
}
