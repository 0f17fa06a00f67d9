// Bun with the packages npm installed, from its DOCKER_HOST (layerFromEnv).
import { BunDocker } from "@effect-docker/bun"
import { program } from "./runtime.mjs"

await program(`Bun ${Bun.version}`, BunDocker.layerFromEnv())
