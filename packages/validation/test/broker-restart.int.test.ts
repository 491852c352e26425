// Defect C's shape: 3 partitions with a backlog, one consumer (every:100, 1 ms of work); the only
// broker is restarted clean, then hard, mid-stream. Nothing may be lost; committed == log end.
import { startBroker, type Broker } from '@offsetkit/broker'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runScenario } from '../src/run-scenario.js'
import { brokerRestartBacklog } from '../src/scenarios.js'
import { CLIENTS, resultsDir, settings } from './validation-test-kit.js'

let broker: Broker
beforeAll(async () => {
  broker = await startBroker({ mode: 'local' })
}, 120_000)
afterAll(() => broker?.stop())

it.each(CLIENTS)('%s: a single-node broker restarted clean then hard mid-stream loses nothing and commits to the end', async (client) => {
  const result = await runScenario(brokerRestartBacklog, broker, settings(client), resultsDir())
  expect(result.reasons).toEqual([])
  expect(result).toMatchObject({ status: 'pass', lost: 0, regressions: 0 })
  expect(result.produced).toBeGreaterThanOrEqual(3000)
}, 240_000)
