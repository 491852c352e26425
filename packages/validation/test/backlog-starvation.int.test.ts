// confluent had a partition never consumed under a backlog: with 3 backlogged partitions and a
// slow handler, every partition must make progress early and every offset must be processed.
import { startBroker, type Broker } from '@offsetkit/broker'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runScenario } from '../src/run-scenario.js'
import { backlogStarvation } from '../src/scenarios.js'
import { CLIENTS, resultsDir, settings } from './validation-test-kit.js'

let broker: Broker
beforeAll(async () => {
  broker = await startBroker({ mode: 'local' })
}, 120_000)
afterAll(() => broker?.stop())

it.each(CLIENTS)('%s: 3 backlogged partitions under a slow handler are all consumed, every offset', async (client) => {
  const result = await runScenario(backlogStarvation(3), broker, settings(client), resultsDir())
  expect(result.reasons).toEqual([])
  expect(result).toMatchObject({ status: 'pass', lost: 0 })
  expect(result.processed).toBeGreaterThanOrEqual(1200)
}, 240_000)
