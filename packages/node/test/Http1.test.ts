/**
 * The HTTP/1.1 request head and response parser of streamed answers: every framing, fed whole
 * and split at every byte, and every violation refused with undici's code for it.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { maxHeadBytes, requestHead, type ResponseHead, ResponseParser } from "../src/internal/http1.js"

interface Parsed {
  head: ResponseHead | undefined
  body: Buffer
  ended: boolean
  reusable: boolean
}

/** Feeds `pieces` to a parser, then the connection's end when `close` says so. */
const parse = (method: string, pieces: ReadonlyArray<Buffer>, close = false): Parsed => {
  const parsed: Parsed = { head: undefined, body: Buffer.alloc(0), ended: false, reusable: false }
  const chunks: Array<Buffer> = []
  const parser = new ResponseParser(
    method,
    (head) => parsed.head = head,
    (chunk) => chunks.push(Buffer.from(chunk)),
    () => parsed.ended = true
  )
  for (const piece of pieces) parser.feed(piece)
  if (close) parser.end()
  parsed.body = Buffer.concat(chunks)
  parsed.reusable = parser.reusable
  return parsed
}

/** `bytes` cut at every pair of points: one, two and three pieces. */
const splits = function*(bytes: Buffer): Generator<Array<Buffer>> {
  yield [bytes]
  for (let i = 1; i < bytes.length; i++) {
    yield [bytes.subarray(0, i), bytes.subarray(i)]
    for (let j = i + 1; j < bytes.length; j += 7) yield [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]
  }
}

const errorOf = (f: () => unknown): { code?: string; message?: string } => {
  try {
    f()
  } catch (error) {
    return error as { code?: string }
  }
  throw new Error("no error")
}

const answers: Array<{ name: string; wire: string; body: string; keepAlive: boolean; status: number; close?: true }> = [
  {
    name: "a content-length body",
    wire: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
    body: "hello world",
    keepAlive: true,
    status: 200
  },
  {
    name: "a chunked body with extensions and trailers",
    wire: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;name=value\r\nhello\r\n1 \r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n",
    body: "hello 0123456789",
    keepAlive: true,
    status: 200
  },
  {
    name: "an interim 100 before the answer",
    wire: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
    body: "ok",
    keepAlive: true,
    status: 201
  },
  {
    name: "a body delimited by the close",
    wire: "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nuntil the end",
    body: "until the end",
    keepAlive: false,
    status: 200,
    close: true
  },
  {
    name: "HTTP/1.0 without keep-alive",
    wire: "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
    body: "abc",
    keepAlive: false,
    status: 200
  },
  {
    name: "a 204 without a body",
    wire: "HTTP/1.1 204 No Content\r\n\r\n",
    body: "",
    keepAlive: true,
    status: 204
  },
  {
    name: "Connection: close with a length",
    wire: "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnope",
    body: "nope",
    keepAlive: false,
    status: 404
  }
]

describe("ResponseParser", () => {
  for (const answer of answers) {
    it(`reads ${answer.name} cut at any byte`, () => {
      for (const pieces of splits(Buffer.from(answer.wire, "latin1"))) {
        const parsed = parse("GET", pieces, answer.close)
        expect(parsed.head?.status).toBe(answer.status)
        expect(parsed.body.toString("latin1")).toBe(answer.body)
        expect(parsed.ended).toBe(true)
        expect(parsed.reusable).toBe(answer.keepAlive)
      }
    })
  }

  it("reads any chunked body, in chunks of any size, cut anywhere", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(FastCheck.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 8 }),
        FastCheck.array(FastCheck.nat(2000), { maxLength: 6 }),
        (chunks, cuts) => {
          const wire = Buffer.concat([
            Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
            ...chunks.flatMap((chunk) => [Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]),
            Buffer.from("0\r\n\r\n")
          ])
          const points = [...new Set(cuts.map((cut) => cut % wire.length))].sort((a, b) => a - b)
          const pieces = [0, ...points].map((from, i, all) => wire.subarray(from, all[i + 1] ?? wire.length))
          const parsed = parse("GET", pieces)
          expect(parsed.body.equals(Buffer.concat(chunks))).toBe(true)
          expect(parsed.reusable).toBe(true)
        }
      )
    )
  })

  it("hands the body over as views of the fed buffer, not copies", () => {
    const wire = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    const views: Array<Buffer> = []
    new ResponseParser("GET", () => {}, (chunk) => views.push(chunk), () => {}).feed(wire)
    expect(views).toHaveLength(1)
    expect(views[0]!.buffer).toBe(wire.buffer)
    expect(views[0]!.toString()).toBe("hello")
  })

  it("reads no body after HEAD, whatever the length says, and joins repeated headers", () => {
    const parsed = parse("HEAD", [
      Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
    ])
    expect(parsed.ended).toBe(true)
    expect(parsed.body.length).toBe(0)
    expect(parsed.head?.headers["x-a"]).toBe("1, 2")
    expect(parsed.reusable).toBe(true)
  })

  it("is not reusable until the answer ended, and not when the body runs to the close", () => {
    const parser = new ResponseParser("GET", () => {}, () => {}, () => {})
    parser.feed(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"))
    expect(parser.reusable).toBe(false)
    parser.feed(Buffer.from("cd"))
    expect(parser.reusable).toBe(true)
    const untilClose = new ResponseParser("GET", () => {}, () => {}, () => {})
    untilClose.feed(Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz"))
    untilClose.end()
    expect(untilClose.reusable).toBe(false)
  })

  const refused: Array<[string, string, string]> = [
    ["a status line that is not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", "HPE_INVALID_STATUS"],
    ["a three-digit status below 100", "HTTP/1.1 099 Odd\r\n\r\n", "HPE_INVALID_STATUS"],
    ["a header line without a name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", "HPE_INVALID_HEADER_TOKEN"],
    [
      "whitespace before a header's colon",
      "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx",
      "HPE_INVALID_HEADER_TOKEN"
    ],
    ["a folded header line", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  2\r\n\r\n", "HPE_INVALID_HEADER_TOKEN"],
    [
      "lengths that disagree",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
    ],
    [
      "a length that is not a number",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
    ],
    ["more than the length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab", "HPE_INVALID_CONSTANT"],
    [
      "a chunk size that is not hex",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HPE_INVALID_CHUNK_SIZE"
    ],
    [
      "a chunk size past 12 hex digits",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\n",
      "HPE_INVALID_CHUNK_SIZE"
    ],
    [
      "a chunk longer than its size",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
      "HPE_INVALID_CHUNK_SIZE"
    ],
    [
      "a bare LF after a chunk size",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab",
      "HPE_INVALID_CHUNK_SIZE"
    ],
    [
      "bytes after the last chunk",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX",
      "HPE_INVALID_CONSTANT"
    ],
    ["a switch of protocols unasked", "HTTP/1.1 101 Switching Protocols\r\n\r\n", "HPE_INVALID_CONSTANT"]
  ]
  for (const [name, wire, code] of refused) {
    it(`refuses ${name} (${code}), whole or cut`, () => {
      for (const pieces of splits(Buffer.from(wire, "latin1"))) {
        expect(errorOf(() => parse("GET", pieces)).code).toBe(code)
      }
    })
  }

  it("refuses bytes that arrive in a later read after the answer ended", () => {
    const parser = new ResponseParser("GET", () => {}, () => {}, () => {})
    parser.feed(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    expect(errorOf(() => parser.feed(Buffer.from("HTTP/1.1 200 OK\r\n"))).code).toBe("HPE_INVALID_CONSTANT")
  })

  it("bounds the head, the size line and the trailers, without waiting for their end", () => {
    const endless = Buffer.alloc(16 * 1024, "a")
    const head = new ResponseParser("GET", () => {}, () => {}, () => {})
    head.feed(Buffer.from("HTTP/1.1 200 OK\r\nX-Flood: "))
    const flood = errorOf(() => {
      for (let i = 0; i < 10; i++) head.feed(endless)
    })
    expect(flood.code).toBe("HPE_HEADER_OVERFLOW")
    expect(maxHeadBytes).toBeLessThan(10 * endless.length)

    const chunked = () => {
      const parser = new ResponseParser("GET", () => {}, () => {}, () => {})
      parser.feed(Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
      return parser
    }
    const sizeLine = chunked()
    expect(errorOf(() => sizeLine.feed(Buffer.from(`1;${"x".repeat(5000)}`))).code).toBe("HPE_INVALID_CHUNK_SIZE")
    const trailers = chunked()
    trailers.feed(Buffer.from("0\r\n"))
    expect(
      errorOf(() => {
        for (let i = 0; i < 10; i++) trailers.feed(Buffer.from(`X-T: ${"t".repeat(8000)}\r\n`))
      }).code
    ).toBe("HPE_HEADER_OVERFLOW")
  })

  it("fails at the connection's end before a length or chunked body ended, and ends a close-delimited one", () => {
    const cut = new ResponseParser("GET", () => {}, () => {}, () => {})
    cut.feed(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
    expect(errorOf(() => cut.end()).code).toBe("UND_ERR_SOCKET")
    const before = new ResponseParser("GET", () => {}, () => {}, () => {})
    before.feed(Buffer.from("HTTP/1.1 200"))
    expect(errorOf(() => before.end()).code).toBe("UND_ERR_SOCKET")
    expect(before.received).toBe(true)
    expect(parse("GET", [Buffer.from("HTTP/1.1 200 OK\r\n\r\nrest")], true).body.toString()).toBe("rest")
  })
})

describe("requestHead", () => {
  it("frames the body by its length, chunked or not at all, unless the headers do", () => {
    expect(requestHead("GET", "/v1.41/events", "localhost", {}, "none")).toBe(
      "GET /v1.41/events HTTP/1.1\r\nhost: localhost\r\n\r\n"
    )
    expect(requestHead("POST", "/build", "localhost", { "content-type": "application/x-tar" }, "chunked")).toBe(
      "POST /build HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-tar\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    expect(requestHead("PUT", "/archive", "[::1]:2375", { "Content-Length": "3" }, { contentLength: 3 })).toBe(
      "PUT /archive HTTP/1.1\r\nhost: [::1]:2375\r\nContent-Length: 3\r\n\r\n"
    )
  })

  it("sends a list as one line per value and drops a host of the caller's", () => {
    expect(requestHead("GET", "/", "localhost", { "x-registry-auth": ["a", "b"], "Host": "evil" }, "none")).toBe(
      "GET / HTTP/1.1\r\nhost: localhost\r\nx-registry-auth: a\r\nx-registry-auth: b\r\n\r\n"
    )
  })

  it("refuses a header that would break the framing: a CR, LF or NUL in a value, a name that is not a token", () => {
    for (
      const headers of [{ "x-a": "1\r\nx-b: 2" }, { "x-a": ["ok", "a\nb"] }, { "x-a": "a\0" }, { "x a": "1" }, {
        "x:a": "1"
      }]
    ) {
      expect(errorOf(() => requestHead("GET", "/", "localhost", headers, "none")).code).toBe("UND_ERR_INVALID_ARG")
    }
  })
})
