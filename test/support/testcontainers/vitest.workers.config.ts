import { defineConfig } from "vitest/config"

// The parallel workers of test/testcontainers.test.ts: three files, each in its own process.
export default defineConfig({
  test: {
    include: ["*.worker.ts"],
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 3,
    minWorkers: 3,
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
})
