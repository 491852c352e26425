// The conformance factory works before the shared suite plugs it in: both group protocols.
import { afterAll, beforeAll, expect, inject, it, onTestFinished } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'
import { KafkaHarness } from '../../conformance/src/kafka-harness.js'
import { factory } from './conformance-factory.js'

let harness: KafkaHarness
beforeAll(() => {
  harness = new KafkaHarness(inject('kafka').bootstrapServers)
})
afterAll(async () => {
  await factory.cleanup?.()
  await harness.close()
})

it.each(['classic', 'consumer'] as const)('factory, group protocol %s: a drained topic is committed to its end offsets', async (groupProtocol) => {
  const topic = await harness.createTopic({ partitions: 3, prefix: `ck-factory-${groupProtocol}` })
  await harness.produceCount(topic, 90, 3)
  const groupId = uniqueName('ck-factory')
  const consumer = await factory.createConsumer({
    bootstrapServers: inject('kafka').bootstrapServers,
    groupId,
    groupProtocol,
    fastRebalance: true,
    deadLetterTopic: `${topic}.dlq`,
    offsetkit: { commit: { every: 10 } },
  })
  onTestFinished(() => consumer.close())
  let handled = 0
  await consumer.run({ topics: [topic], handler: () => void handled++ })
  await waitFor(() => handled === 90, { what: '90 records handled' })
  await waitFor(async () => {
    const committed = await harness.committedOffsets(groupId, topic)
    return [0, 1, 2].every((p) => committed.get(p) === 30n)
  }, { what: 'committed offsets at 30 on every partition' })
  expect(handled).toBe(90)
})
