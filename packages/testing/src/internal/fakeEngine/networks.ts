/**
 * Networks: the three the engine has from the start, and those the user creates.
 */
import type * as Schemas from "@effect-docker/client/Schemas"
import type { EngineState } from "./state.js"
import { type NetworkRecord, randomHex, rfc3339, type Wire } from "./wire.js"

export const createNetwork = (
  engine: EngineState,
  name: string,
  driver: string,
  labels: Readonly<Record<string, string>>,
  extra: { internal?: boolean; attachable?: boolean; options?: Readonly<Record<string, string>> } = {},
  predefined = false
) => {
  const record: NetworkRecord = {
    id: randomHex(32),
    name,
    driver,
    created: new Date(),
    labels,
    internal: extra.internal ?? false,
    attachable: extra.attachable ?? false,
    options: extra.options ?? {},
    predefined,
    subnet: driver === "bridge" ? engine.nextSubnet++ : undefined
  }
  engine.networks.set(record.id, record)
  return record
}

export const createPredefinedNetworks = (engine: EngineState) => {
  createNetwork(engine, "bridge", "bridge", {}, {}, true)
  createNetwork(engine, "host", "host", {}, {}, true)
  createNetwork(engine, "none", "null", {}, {}, true)
}

/** A network by id, name or id prefix. */
export const findNetwork = (engine: EngineState, name: string) => {
  const byId = engine.networks.get(name)
  if (byId !== undefined) return byId
  for (const n of engine.networks.values()) if (n.name === name) return n
  const matches = [...engine.networks.values()].filter((n) => n.id.startsWith(name))
  return matches.length === 1 ? matches[0] : undefined
}

export const networkJson = (n: NetworkRecord): Wire<typeof Schemas.NetworkInspect> => ({
  Name: n.name,
  Id: n.id,
  Created: rfc3339(n.created),
  Scope: "local",
  Driver: n.driver,
  EnableIPv6: false,
  IPAM: {
    Driver: "default",
    Options: null,
    Config: n.subnet === undefined ? [] : [{ Subnet: `172.${n.subnet}.0.0/16`, Gateway: `172.${n.subnet}.0.1` }]
  },
  Internal: n.internal,
  Attachable: n.attachable,
  Ingress: false,
  ConfigFrom: { Network: "" },
  ConfigOnly: false,
  Containers: {},
  Options: n.options,
  Labels: n.labels
})

/** A container's endpoint on a network, as inspect shows it. */
export const endpoint = (networkId: string): Wire<typeof Schemas.EndpointSettings> => ({
  IPAMConfig: null,
  Links: null,
  Aliases: null,
  NetworkID: networkId,
  EndpointID: "",
  Gateway: "",
  IPAddress: "",
  IPPrefixLen: 0,
  IPv6Gateway: "",
  GlobalIPv6Address: "",
  GlobalIPv6PrefixLen: 0,
  MacAddress: "",
  DriverOpts: null
})
