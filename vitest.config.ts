import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests read workspace source, not builds: @offsetkit/<name> resolves to packages/<name>/src.
const root = fileURLToPath(new URL('.', import.meta.url))
// Subpath exports come first: an alias also matches what starts with its key and a slash.
const alias = Object.fromEntries([
  ['@offsetkit/commit-core/testing', `${root}packages/commit-core/src/testing/index.ts`],
  ['@offsetkit/commit-core/adapter', `${root}packages/commit-core/src/adapter/index.ts`],
  ...readdirSync(`${root}packages`).map((name) => [`@offsetkit/${name}`, `${root}packages/${name}/src/index.ts`]),
])

// Unit tests (`*.test.ts`) never need a broker. Integration tests (`*.int.test.ts`) share ONE
// broker per run, started by the integration project's globalSetup.
export default defineConfig({
  resolve: { alias },
  test: {
    coverage: {
      provider: 'v8',
      include: ['packages/commit-core/src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { branches: 95 },
    },
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts',
            'scripts/test/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.int.test.ts', 'apps/*/test/**/*.int.test.ts', 'examples/test/**/*.int.test.ts'],
          globalSetup: ['packages/broker/test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One shared broker on a 2-core machine: files run one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
})
