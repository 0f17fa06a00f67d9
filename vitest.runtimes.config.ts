import { defineConfig } from "vitest/config"

// test/runtimes.test.ts on the runtime that runs vitest (`pnpm test:runtimes`: Bun, then Deno),
// once per engine, with the integration suite's setup (scripts/test-engine.sh).
export default defineConfig({
  test: {
    fileParallelism: false,
    projects: (["classic", "modern"] as const).map((engine, order) => ({
      test: {
        name: `runtime:${engine}`,
        include: ["test/runtimes.test.ts"],
        env: { EFFECT_DOCKER_TEST_ENGINE: engine },
        globalSetup: ["test/setup/globalSetup.ts"],
        setupFiles: ["test/setup/engineEnv.ts"],
        sequence: { groupOrder: order },
        testTimeout: 60_000,
        hookTimeout: 120_000
      }
    }))
  }
})
