import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Most of a test file's time is spent waiting on a database, a server or a browser: two files
    // at a time keep both cores busy (the default on a two-core machine is one).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "server",
          root: "server",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          // The server's modules are loaded once per worker, not once per file (1.6 s each): they
          // keep no state between files other than caches keyed by database or context.
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "web",
          root: "web",
          include: ["src/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          root: "e2e",
          include: ["**/*.e2e.test.ts"],
          globalSetup: ["global-setup.ts"],
          // One browser at a time: two, each with its own server, starve each other on two cores.
          maxWorkers: 1,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
