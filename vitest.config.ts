import { defineConfig } from "vitest/config"

/**
 * A project per test engine (scripts/test-engine.sh): Docker 20.10 (API 1.41), then Docker 28.5
 * (API 1.51), each started by the global setup and named to the test files by engineEnv.
 */
export const engineProjects = (name: string, include: ReadonlyArray<string>, exclude: ReadonlyArray<string> = []) =>
  (["classic", "modern"] as const).map((engine, order) => ({
    test: {
      name: `${name}:${engine}`,
      include: [...include],
      exclude: ["**/node_modules/**", ...exclude],
      env: { EFFECT_DOCKER_TEST_ENGINE: engine },
      globalSetup: ["test/setup/globalSetup.ts"],
      setupFiles: ["test/setup/engineEnv.ts"],
      sequence: { groupOrder: order },
      testTimeout: 60_000,
      hookTimeout: 120_000
    }
  }))

const swarmFiles = ["test/swarm.test.ts", "examples/swarm/**/*.real.test.ts"]

export default defineConfig({
  test: {
    // One engine for the integration files: they run one after another so that container counts
    // and socket counts add up. The unit files share no state: `pnpm test:unit` runs them side by
    // side without isolation (one import of effect per worker, not per file: 45 s -> 15 s here).
    fileParallelism: false,
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "examples/**/*.mock.test.ts", "examples/**/*.fake.test.ts"]
        }
      },
      // The integration suite once per engine.
      ...engineProjects("integration", ["test/**/*.test.ts", "examples/**/*.real.test.ts"], swarmFiles),
      // The swarm's own files, on the three-node test swarm (scripts/test-swarm.sh).
      {
        test: {
          name: "swarm",
          include: swarmFiles,
          env: { EFFECT_DOCKER_TEST_ENGINE: "swarm" },
          globalSetup: ["test/setup/globalSetup.ts"],
          setupFiles: ["test/setup/engineEnv.ts"],
          testTimeout: 240_000,
          hookTimeout: 240_000
        }
      }
    ]
  }
})
