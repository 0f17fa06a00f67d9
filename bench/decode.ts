/**
 * Decoding a 1,000-container list (`GET /containers/json?all=1` as an engine sends it): the
 * generated schema on top of `JSON.parse`, against `JSON.parse` alone, interleaved rounds.
 *
 *   pnpm bench:decode
 */
import { Schemas } from "@effect-docker/client"
import * as ParseResult from "effect/ParseResult"
import * as FastDecode from "../packages/client/src/internal/fastDecode.js"
import { median } from "./stats.js"

const rounds = Number(process.env.ROUNDS ?? 7)
const iterations = Number(process.env.ITERATIONS ?? 50)

const hex = (i: number) => i.toString(16).padStart(8, "0").repeat(8)
const container = (i: number) => ({
  Id: hex(i),
  Names: [`/app-${i}`],
  Image: "busybox",
  ImageID: `sha256:${hex(i + 1)}`,
  Command: "sleep 3600",
  Created: 1700000000 + i,
  Ports: [{ PrivatePort: 8080, Type: "tcp" }, { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 32768 + i, Type: "tcp" }],
  Labels: { "com.example.app": `app-${i}`, "com.example.tier": "web" },
  State: "running",
  Status: "Up 2 hours",
  HostConfig: { NetworkMode: "default" },
  NetworkSettings: {
    Networks: {
      bridge: {
        IPAMConfig: null,
        Links: null,
        Aliases: null,
        NetworkID: hex(i + 2),
        EndpointID: hex(i + 3),
        Gateway: "172.17.0.1",
        IPAddress: "172.17.0.2",
        IPPrefixLen: 16,
        IPv6Gateway: "",
        GlobalIPv6Address: "",
        GlobalIPv6PrefixLen: 0,
        MacAddress: "02:42:ac:11:00:02",
        DriverOpts: null
      }
    }
  },
  Mounts: [{
    Type: "volume",
    Name: `data-${i}`,
    Source: `/var/lib/docker/volumes/data-${i}/_data`,
    Destination: "/data",
    Driver: "local",
    Mode: "z",
    RW: true,
    Propagation: ""
  }]
})
const body = JSON.stringify(Array.from({ length: 1000 }, (_, i) => container(i)))
const general = ParseResult.decodeUnknownEither(Schemas.ContainerListResponse)
const fast = FastDecode.decoder(Schemas.ContainerListResponse)

const cases: Record<string, () => unknown> = {
  "JSON.parse": () => JSON.parse(body),
  "JSON.parse + effect-docker decode": () => {
    const result = fast(JSON.parse(body))
    if (result._tag === "Left") throw new Error(ParseResult.TreeFormatter.formatIssueSync(result.left))
    return result.right
  },
  "JSON.parse + Schema.decodeUnknown": () => {
    const result = general(JSON.parse(body), { onExcessProperty: "ignore" })
    if (result._tag === "Left") throw new Error(ParseResult.TreeFormatter.formatIssueSync(result.left))
    return result.right
  }
}

for (const run of Object.values(cases)) for (let i = 0; i < 5; i++) run()
const times: Record<string, Array<number>> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const start = performance.now()
    for (let i = 0; i < iterations; i++) run()
    times[name]!.push((performance.now() - start) / iterations)
  }
}
const base = median(times["JSON.parse"]!)
console.log(
  `decoding a 1,000-container list (${(body.length / 1024).toFixed(0)} KiB), ${rounds} rounds x ${iterations}`
)
for (const [name, samples] of Object.entries(times)) {
  console.log(
    `${name.padEnd(36)} median ${median(samples).toFixed(2)} ms  min ${Math.min(...samples).toFixed(2)}  max ${
      Math.max(...samples).toFixed(2)
    }  ratio ${(median(samples) / base).toFixed(2)}`
  )
}
