import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const bench = fileURLToPath(new URL('..', import.meta.url))

// The real CLI as a user runs it: a bad flag exits 2 with the usage text, before anything
// connects (no --brokers is given, yet no broker is started: it would take seconds).
describe('offsetkit-bench usage errors', () => {
  it.each([
    [['consume', '--topic', 't', '--group', 'g', '--client', 'kafka', '--commit', 'none'], '--client'],
    [['bench', '--clients', 'nope'], '--clients'],
    [['bench', '--arms', 'java,nope'], '--arms'],
    [['wat'], 'command'],
  ])('%j exits 2 naming %s', (args, flag) => {
    const started = Date.now()
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: bench, encoding: 'utf8', timeout: 30_000 })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain(flag)
    expect(result.stderr).toContain('usage:')
    expect(Date.now() - started).toBeLessThan(30_000)
  })
})
