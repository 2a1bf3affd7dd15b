import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One database server for the run (MONGODB_URI, a system mongod or FerretDB).
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    // The very first FerretDB build (Go module download) can take minutes; `.ci/run` pre-builds it.
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: true,
    poolOptions: {
      forks: { maxForks: 2 }, // the CI machine has 2 cores
    },
  },
});
