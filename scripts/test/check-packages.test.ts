// Runs inside `pnpm test` after turbo's build: every public package's packed tarball must pass
// publint --strict, attw (node16 + bundler) and the repository checks (LICENSE, README, metadata, bin).
import { expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { checkPackages, formatReport } from '../check-packages.mjs'

it('every public package packs into a tarball that publint, attw and the repository checks accept', async () => {
  const report: string = formatReport(await checkPackages())
  expect(report, report).toBe('')
}, 120_000)
