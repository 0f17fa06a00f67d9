/**
 * The network routes.
 */
import * as Schemas from "@effect-docker/client/Schemas"
import * as MockTransport from "../../MockTransport.js"
import { running } from "./containerModel.js"
import { withContainer } from "./containers.js"
import { createNetwork, endpoint, findNetwork, networkJson } from "./networks.js"
import { type Answer, type Route, withBody } from "./route.js"
import { apiVersionOf, type EngineState } from "./state.js"
import { fail, json, matchesLabels, type NetworkRecord, parseFilters } from "./wire.js"

const drivers = ["bridge", "null", "host", "overlay", "macvlan", "ipvlan"]

const withNetwork = (engine: EngineState, name: string, f: (network: NetworkRecord) => Answer): Answer => {
  const network = findNetwork(engine, name)
  return network === undefined ? fail(404, `network ${name} not found`) : f(network)
}

const connectRoute = (connect: boolean): Route[2] => ({ engine, params: { id }, request }) =>
  withNetwork(engine, id!, (network) =>
    withBody(
      connect ? Schemas.NetworkConnectRequest : Schemas.NetworkDisconnectRequest,
      request,
      (body) =>
        withContainer(engine, body.Container ?? "", (c) => {
          if (connect) {
            if (c.networks[network.name] !== undefined) {
              return fail(403, `endpoint with name ${c.name.slice(1)} already exists in network ${network.name}`)
            }
            c.networks[network.name] = endpoint(network.id)
          } else {
            if (c.networks[network.name] === undefined) {
              return fail(403, `container ${c.id} is not connected to network ${network.name}`)
            }
            delete c.networks[network.name]
          }
          engine.emit("network", connect ? "connect" : "disconnect", network.id, {
            container: c.id,
            name: network.name,
            type: network.driver
          })
          return MockTransport.empty(200)
        })
    ))

export const routes: ReadonlyArray<Route> = [
  [["GET"], "/networks", ({ engine, query }) => {
    const filters = parseFilters(query.get("filters"))
    const list = [...engine.networks.values()].filter((n) =>
      (filters.name === undefined || filters.name.some((name) => n.name.includes(name))) &&
      (filters.id === undefined || filters.id.some((id) => n.id.startsWith(id))) &&
      (filters.driver === undefined || filters.driver.includes(n.driver)) &&
      (filters.label === undefined || matchesLabels(n.labels, filters.label)) &&
      (filters.type === undefined || filters.type.includes(n.predefined ? "builtin" : "custom"))
    )
    return json(list.map(networkJson))
  }],
  [["POST"], "/networks/create", ({ engine, request }) =>
    withBody(Schemas.NetworkCreateBody, request, (body) => {
      // API 1.41 checks names only when asked (the docker CLI asks), and warns otherwise; since
      // 1.44 the engine always checks.
      const namesake = [...engine.networks.values()].find((n) => n.name === body.Name)
      if (namesake !== undefined && (body.CheckDuplicate === true || apiVersionOf(engine.options) !== "1.41")) {
        return fail(409, `network with name ${body.Name} already exists`)
      }
      const driver = body.Driver ?? "bridge"
      if (!drivers.includes(driver)) return fail(404, `plugin "${driver}" not found`)
      const network = createNetwork(engine, body.Name, driver, body.Labels ?? {}, {
        ...(body.Internal !== undefined ? { internal: body.Internal } : {}),
        ...(body.Attachable !== undefined ? { attachable: body.Attachable } : {}),
        ...(body.Options !== undefined ? { options: body.Options } : {})
      })
      engine.emit("network", "create", network.id, { name: network.name, type: network.driver })
      const warning = namesake === undefined
        ? ""
        : `Network with name ${body.Name} (id : ${namesake.id}) already exists`
      return json({ Id: network.id, Warning: warning }, 201)
    })],
  [
    ["GET"],
    "/networks/{id}",
    ({ engine, params: { id } }) => withNetwork(engine, id!, (network) => json(networkJson(network)))
  ],
  [["DELETE"], "/networks/{id}", ({ engine, params: { id } }) =>
    withNetwork(engine, id!, (network) => {
      if (network.predefined) return fail(403, `${network.name} is a pre-defined network and cannot be removed`)
      const users = [...engine.containers.values()].filter((c) => c.networks[network.name] !== undefined && running(c))
      if (users.length > 0) {
        return fail(403, `error while removing network: network ${network.name} id ${network.id} has active endpoints`)
      }
      engine.networks.delete(network.id)
      engine.emit("network", "destroy", network.id, { name: network.name, type: network.driver })
      return MockTransport.empty()
    })],
  [["POST"], "/networks/{id}/connect", connectRoute(true)],
  [["POST"], "/networks/{id}/disconnect", connectRoute(false)]
]
