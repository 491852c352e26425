// kafkajs lost every commit when a consumer started on a broker that had just come up: its runner
// restarted after "group coordinator not available". Each client gets a brand-new broker here, and
// the committed offsets are read back from it.
import { startBroker } from '@offsetkit/broker'
import { expect, it, onTestFinished } from 'vitest'
import { runScenario } from '../src/run-scenario.js'
import { freshBroker } from '../src/scenarios.js'
import { CLIENTS, resultsDir, settings } from './validation-test-kit.js'

it.each(CLIENTS)('%s: a consumer started right after a brand-new broker came up commits to the end', async (client) => {
  const broker = await startBroker({ mode: 'local' })
  onTestFinished(() => broker.stop())
  const result = await runScenario(freshBroker, broker, settings(client), resultsDir())
  expect(result.reasons).toEqual([])
  expect(result).toMatchObject({ status: 'pass', lost: 0 })
}, 240_000)
