import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "server",
          root: "server",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          // What only a PostgreSQL server has (other connections, a server ending them) is tested
          // in the pass on PostgreSQL (DATABASE_URL), and left out of the pass on PGlite.
          exclude: [...configDefaults.exclude, ...(process.env.DATABASE_URL ? [] : ["test/**/*.postgres.test.ts"])],
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
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
