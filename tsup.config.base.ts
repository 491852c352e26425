// The one shared build config: every package builds ESM + CJS + .d.ts from src/index.ts.
// Kept tiny so that moving to tsdown (which needs Node 22) is mechanical.
import { defineConfig, type Options } from 'tsup'

export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...overrides,
  })
}
