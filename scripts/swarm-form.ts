/**
 * Forms the test swarm through effect-docker (scripts/test-swarm.sh runs it at swarm-start, with
 * the nodes' sockets and addresses in the environment): manager-1 inits, manager-2 and worker-1
 * join with the tokens the client reads from manager-1.
 */
import { Effect } from "effect"
import { form, onNode } from "../test/support/swarm.js"

const nodes = await Effect.runPromise(onNode("manager-1", form))
console.error(`[test-swarm] ${nodes.length} nodes ready: ${nodes.map((node) => node.Spec?.Role).join(", ")}`)
