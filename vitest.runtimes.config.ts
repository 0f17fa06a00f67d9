import { defineConfig } from "vitest/config"
import { engineProjects } from "./vitest.config.js"

// test/runtimes.test.ts on the runtime that runs vitest (`pnpm test:runtimes`: Bun, then Deno),
// once per engine, with the integration suite's setup.
export default defineConfig({
  test: {
    fileParallelism: false,
    projects: engineProjects("runtime", ["test/runtimes.test.ts"])
  }
})
