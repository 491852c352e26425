import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../bin/offsetkit-validate.mjs', import.meta.url))

// The real CLI as a user runs it: a bad flag is one line on stderr and exit 2, before any broker starts.
describe('offsetkit-validate usage errors', () => {
  it.each([
    [['--client', 'kafka'], '--client'],
    [['--scenario', 'nope'], '--scenario'],
    [['--brokers', '5'], '--brokers'],
  ])('%j exits 2 naming %s', (args, flag) => {
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 })
    expect(result.status).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(flag)
    expect(result.stdout).toBe('')
  })
})
