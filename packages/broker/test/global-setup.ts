// One broker per test run, shared by every integration test (each uses its own topic and group).
import type { TestProject } from 'vitest/node'
import { startBroker, type Broker } from '../src/index.js'

let broker: Broker | undefined

export async function setup(project: TestProject): Promise<void> {
  const started = Date.now()
  broker = await startBroker()
  console.log(`[offsetkit] Kafka ${broker.version ?? '?'} (${broker.source}) at ${broker.bootstrapServers}, ready in ${Date.now() - started} ms`)
  project.provide('kafka', {
    bootstrapServers: broker.bootstrapServers,
    version: broker.version ?? null,
    appendLingerMs: broker.appendLingerMs ?? null,
    source: broker.source,
  })
}

export async function teardown(): Promise<void> {
  await broker?.stop()
}
