import { RunOptions } from "@effect-docker/client"
import type { ContainerInspectResponse } from "@effect-docker/client/Schemas"

/** The host port `port` (`80` or `"80/udp"`) is published on, from inspect data; IPv4's first. */
export const hostPort = (info: ContainerInspectResponse, port: number | string): number | undefined => {
  const bindings = info.NetworkSettings?.Ports?.[RunOptions.portKey(String(port))] ?? []
  const chosen = bindings.find((binding) => !(binding.HostIp ?? "").includes(":")) ?? bindings[0]
  return chosen?.HostPort === undefined ? undefined : Number(chosen.HostPort)
}

/** The container ports that are published, as `"80/tcp"`. */
export const published = (info: ContainerInspectResponse): ReadonlyArray<string> =>
  Object.entries(info.NetworkSettings?.Ports ?? {}).flatMap(([key, bindings]) =>
    bindings !== null && bindings.length > 0 ? [key] : []
  )
