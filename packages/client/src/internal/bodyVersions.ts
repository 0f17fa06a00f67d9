/**
 * The API versions that fields of request bodies need (from the Engine API changelog): a body
 * that sets one fails with `DockerVersionError` before it is sent to an older engine, as an
 * option of a newer version does, instead of being ignored there.
 */
import type * as Schemas from "../generated/Schemas.js"

type Versions = ReadonlyArray<readonly [version: string, value: unknown]>

/** `POST /containers/create`. */
export const containerCreate = (body: Schemas.ContainerCreateBody): Versions => {
  const endpoints = Object.values(body.NetworkingConfig?.EndpointsConfig ?? {})
  const mounts = body.HostConfig?.Mounts ?? []
  return [
    // Connecting to several networks at create (one at a time before).
    ["1.44", endpoints.length > 1 ? endpoints : undefined],
    ["1.44", endpoints.find((endpoint) => (endpoint.MacAddress ?? "") !== "")],
    ["1.44", body.Healthcheck?.StartInterval],
    ["1.45", mounts.find((mount) => mount.VolumeOptions?.Subpath !== undefined)],
    ["1.48", mounts.find((mount) => mount.Type === "image")]
  ]
}
