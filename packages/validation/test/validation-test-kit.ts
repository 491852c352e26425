// Shared by the validation integration tests: each file starts its OWN fresh single-node broker
// (they restart or need a brand-new one, so the shared test broker will not do).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import type { ClientName } from '../src/consumer-args.js'
import type { RunSettings } from '../src/run-scenario.js'

export const CLIENTS: readonly ClientName[] = ['kafkajs', 'confluent', 'node-rdkafka']

export function settings(client: ClientName): RunSettings {
  return { client, protocol: 'classic', quick: true, durationMs: 0, consumers: 1, bounces: 1, commitEvery: 100 }
}

/** A results folder for one test, removed when it passes (kept and printed when it fails). */
export function resultsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'offsetkit-validation-'))
  onTestFinished(({ task }) => {
    if (task.result?.state === 'pass') rmSync(dir, { recursive: true, force: true })
    else console.log(`validation evidence kept in ${dir}`)
  })
  return dir
}
