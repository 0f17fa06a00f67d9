/**
 * HTTP/1.1 on the wire for streamed answers (RFC 9112): the request head, and a response parser
 * that hands the body over as views of the socket's own buffers. undici's body path copies every
 * chunk out of its parser's memory and cost ~500 ms of CPU per GiB more than the framing needs
 * (bench/streams: a 1 GiB export on two cores, where that CPU is also the engine's).
 */

/** A violation of HTTP/1.1 by the engine; `code` is the one undici's parser gives, for the same reasons. */
export const invalid = (message: string, code = "HPE_INVALID_CONSTANT"): Error =>
  Object.assign(new Error(message), { code })

/** A request that HTTP/1.1 cannot carry, refused before a byte is sent; undici's code for the same. */
const badRequest = (message: string): Error => Object.assign(new Error(message), { code: "UND_ERR_INVALID_ARG" })

/** The most bytes a response head (status line and headers), or a chunk's trailers, may take. */
export const maxHeadBytes = 64 * 1024

/** A chunk-size line longer than this is not a size: 16 hex digits and room for extensions. */
const maxSizeLineBytes = 4 * 1024

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const unsafeValue = /[\r\n\0]/

/**
 * The request head: request line, `host`, the request's headers (a list as one line per value)
 * and the framing of its body. Throws on a header that would break the framing of the request.
 */
export const requestHead = (
  method: string,
  target: string,
  host: string,
  headers: Readonly<Record<string, string | ReadonlyArray<string>>>,
  framing: { readonly contentLength: number } | "chunked" | "none"
): string => {
  let head = `${method} ${target} HTTP/1.1\r\nhost: ${host}\r\n`
  let framed = false
  for (const name in headers) {
    const value = headers[name]!
    if (!token.test(name)) throw badRequest(`the request header name ${JSON.stringify(name)} is not a token`)
    const lower = name.toLowerCase()
    if (lower === "host") continue
    if (lower === "content-length" || lower === "transfer-encoding") framed = true
    for (const line of typeof value === "string" ? [value] : value) {
      if (unsafeValue.test(line)) throw badRequest(`the request header ${name} holds a line break or a NUL`)
      head += `${name}: ${line}\r\n`
    }
  }
  if (!framed) {
    if (framing === "chunked") head += "transfer-encoding: chunked\r\n"
    else if (framing !== "none") head += `content-length: ${framing.contentLength}\r\n`
  }
  return head + "\r\n"
}

/** The response's status line and headers, names in lower case, repeats joined with `, `. */
export interface ResponseHead {
  readonly status: number
  readonly headers: Record<string, string | undefined>
  /** Whether the connection may carry another request once this answer's body ended. */
  readonly keepAlive: boolean
}

/** How the body ends: after `length` bytes, after the last chunk, or when the connection closes. */
type Framing =
  | { readonly _tag: "Length"; left: number }
  | { readonly _tag: "Chunked" }
  | { readonly _tag: "Close" }

const crlf2 = Buffer.from("\r\n\r\n")

/**
 * Parses one response from the bytes of a connection. `onData` gets views of the fed buffers,
 * never copies; the caller must not reuse a buffer it fed. Throws an {@link invalid} error on
 * bytes that are not HTTP/1.1, and from {@link end} when the connection ended before the answer did.
 */
export class ResponseParser {
  private head: Buffer | undefined = Buffer.alloc(0)
  private framing: Framing | undefined
  private keepAlive = false
  /** Chunked: bytes of the current chunk's data still to come; -1 while its CRLF is due. */
  private chunkLeft = 0
  private line = ""
  private inTrailers = false
  private trailerBytes = 0
  private done = false
  /** Whether any byte of the answer arrived: a kept-alive connection that broke before is safe to retry on. */
  received = false
  constructor(
    private readonly method: string,
    private readonly onHead: (head: ResponseHead) => void,
    private readonly onData: (chunk: Buffer) => void,
    private readonly onEnd: () => void
  ) {}

  /** Whether the answer ended at its framing, so the connection may carry another request. */
  get reusable(): boolean {
    return this.done && this.keepAlive
  }

  feed(chunk: Buffer): void {
    if (chunk.length > 0) this.received = true
    if (this.done) {
      if (chunk.length > 0) throw invalid("the engine sent bytes after its answer ended")
      return
    }
    let at = 0
    if (this.head !== undefined) {
      at = this.readHead(chunk)
      if (at === -1) return
    }
    if (!this.done) this.readBody(chunk, at)
    else if (at < chunk.length) throw invalid("the engine sent bytes after its answer ended")
  }

  /** The connection ended (the engine's FIN): the end of a close-delimited body, else too early. */
  end(): void {
    if (this.done) return
    if (this.framing?._tag === "Close") return this.finish()
    throw Object.assign(new Error("the connection ended before the answer did"), { code: "UND_ERR_SOCKET" })
  }

  /** Returns where the body starts in `chunk`, or -1 while the head is incomplete. */
  private readHead(chunk: Buffer): number {
    const before = this.head!.length
    const head = before === 0 ? chunk : Buffer.concat([this.head!, chunk])
    // The CRLFCRLF may straddle the previous chunk and this one.
    const end = head.indexOf(crlf2, Math.max(0, before - 3))
    if (end === -1) {
      if (head.length > maxHeadBytes) {
        throw invalid(`the answer's head exceeds ${maxHeadBytes} bytes`, "HPE_HEADER_OVERFLOW")
      }
      this.head = before === 0 ? Buffer.from(chunk) : head
      return -1
    }
    if (end > maxHeadBytes) throw invalid(`the answer's head exceeds ${maxHeadBytes} bytes`, "HPE_HEADER_OVERFLOW")
    const parsed = parseHead(head.toString("latin1", 0, end))
    const bodyAt = end + 4 - before
    if (parsed.status >= 100 && parsed.status < 200) {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      if (parsed.status === 101) throw invalid("the engine switched protocols on a request that did not ask to")
      this.head = Buffer.alloc(0)
      if (bodyAt >= chunk.length) return -1
      const rest = this.readHead(chunk.subarray(bodyAt))
      return rest === -1 ? -1 : bodyAt + rest
    }
    this.head = undefined
    this.framing = framingOf(this.method, parsed)
    this.keepAlive = parsed.keepAlive && this.framing._tag !== "Close"
    this.onHead(parsed)
    if (this.framing._tag === "Length" && this.framing.left === 0) this.finish()
    return bodyAt
  }

  private readBody(chunk: Buffer, from: number): void {
    const framing = this.framing!
    if (framing._tag === "Close") {
      if (from < chunk.length) this.onData(from === 0 ? chunk : chunk.subarray(from))
      return
    }
    if (framing._tag === "Length") {
      const available = chunk.length - from
      if (available === 0) return
      if (available > framing.left) throw invalid("the engine sent more than its Content-Length")
      framing.left -= available
      this.onData(from === 0 ? chunk : chunk.subarray(from))
      if (framing.left === 0) this.finish()
      return
    }
    this.readChunked(chunk, from)
  }

  private readChunked(chunk: Buffer, from: number): void {
    let at = from
    while (at < chunk.length && !this.done) {
      if (this.chunkLeft > 0) {
        const taken = Math.min(this.chunkLeft, chunk.length - at)
        this.onData(chunk.subarray(at, at + taken))
        this.chunkLeft -= taken
        at += taken
        if (this.chunkLeft === 0) this.chunkLeft = -1
        continue
      }
      const lineEnd = chunk.indexOf(10, at)
      const piece = chunk.toString("latin1", at, lineEnd === -1 ? chunk.length : lineEnd)
      this.line += piece
      if (this.line.length > (this.inTrailers ? maxHeadBytes : maxSizeLineBytes)) {
        throw invalid("a chunk's size line is too long", "HPE_INVALID_CHUNK_SIZE")
      }
      if (lineEnd === -1) return
      at = lineEnd + 1
      if (!this.line.endsWith("\r")) throw invalid("a chunk line does not end with CRLF", "HPE_INVALID_CHUNK_SIZE")
      const line = this.line.slice(0, -1)
      this.line = ""
      if (this.chunkLeft === -1) {
        if (line !== "") throw invalid("a chunk's data is longer than its size", "HPE_INVALID_CHUNK_SIZE")
        this.chunkLeft = 0
      } else if (this.inTrailers) {
        this.trailerBytes += line.length + 2
        if (this.trailerBytes > maxHeadBytes) throw invalid("the answer's trailers are too long", "HPE_HEADER_OVERFLOW")
        if (line === "") this.finish()
      } else {
        const size = chunkSize(line)
        if (size === 0) this.inTrailers = true
        else this.chunkLeft = size
      }
    }
    if (this.done && at < chunk.length) throw invalid("the engine sent bytes after its answer ended")
  }

  private finish() {
    this.done = true
    this.onEnd()
  }
}

const hex = /^[0-9A-Fa-f]{1,12}$/

/** A chunk-size line: hex digits, then any chunk extensions (ignored, as RFC 9112 allows). */
const chunkSize = (line: string): number => {
  const semicolon = line.indexOf(";")
  const digits = (semicolon === -1 ? line : line.slice(0, semicolon)).trimEnd()
  if (!hex.test(digits)) {
    throw invalid(`${JSON.stringify(line.slice(0, 40))} is not a chunk size`, "HPE_INVALID_CHUNK_SIZE")
  }
  return Number.parseInt(digits, 16)
}

const statusLine = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/

const parseHead = (text: string): ResponseHead => {
  const lines = text.split("\r\n")
  const status = statusLine.exec(lines[0]!)
  if (status === null) {
    throw invalid(`${JSON.stringify(lines[0]!.slice(0, 40))} is not an HTTP/1.x status line`, "HPE_INVALID_STATUS")
  }
  const headers: Record<string, string | undefined> = {}
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(":")
    const name = colon === -1 ? "" : line.slice(0, colon)
    // No name, whitespace before the colon, or an obsolete folded line (RFC 9112 §5.1-5.2).
    if (!token.test(name)) {
      throw invalid(`${JSON.stringify(line.slice(0, 40))} is not a header line`, "HPE_INVALID_HEADER_TOKEN")
    }
    const key = name.toLowerCase()
    const value = line.slice(colon + 1).trim()
    const seen = headers[key]
    headers[key] = seen === undefined ? value : `${seen}, ${value}`
  }
  const connection = headers["connection"]?.toLowerCase() ?? ""
  const keepAlive = status[1] === "1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection)
  return { status: Number(status[2]), headers, keepAlive }
}

/** RFC 9112 §6.3, in its order. */
const framingOf = (method: string, head: ResponseHead): Framing => {
  if (method === "HEAD" || head.status === 204 || head.status === 304) return { _tag: "Length", left: 0 }
  const transferEncoding = head.headers["transfer-encoding"]
  if (transferEncoding !== undefined) {
    const codings = transferEncoding.toLowerCase().split(",").map((coding) => coding.trim())
    // Chunked last delimits the body; any other coding runs to the close. Content-Length is ignored.
    return codings[codings.length - 1] === "chunked" ? { _tag: "Chunked" } : { _tag: "Close" }
  }
  const contentLength = head.headers["content-length"]
  if (contentLength !== undefined) {
    // Repeated values (joined with ", ") must agree.
    const values = new Set(contentLength.split(",").map((value) => value.trim()))
    const [value] = values
    if (values.size !== 1 || !/^\d{1,15}$/.test(value!)) {
      throw invalid(
        `Content-Length ${JSON.stringify(contentLength.slice(0, 40))} is not a length`,
        "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
      )
    }
    return { _tag: "Length", left: Number(value) }
  }
  return { _tag: "Close" }
}
