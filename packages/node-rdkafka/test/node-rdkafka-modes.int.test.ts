// Modes beyond the basic pipeline: librdkafka's own auto-commit fed by offsetkit, dead letters
// through a node-rdkafka producer, eager rebalancing, and the KIP-848 group protocol — the last
// two through the conformance factory so the suite's wiring is exercised too.
import { describe, expect, it, onTestFinished } from 'vitest'
import { inject } from 'vitest'
import { waitFor } from '@offsetkit/broker'
import { DEAD_LETTER_HEADERS } from '@offsetkit/commit-core'
import Kafka from 'node-rdkafka'
import type { Message } from 'node-rdkafka'
import { factory } from './conformance-factory.js'
import { byPartition, group, harness, newConsumer } from './node-rdkafka-test-kit.js'

describe('node-rdkafka modes', () => {
  it("commit: 'auto' lets librdkafka's auto-commit commit only what offsetkit stored (the watermark)", async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 2, prefix: 'rdk-auto' })
    await kafka.produceCount(topic, 200, 2)
    const groupId = group()
    let release: () => void = () => undefined
    const blocked = new Promise<void>((resolve) => { release = resolve })
    const consumer = newConsumer(groupId, { commit: 'auto' }, { 'auto.commit.interval.ms': 100 })
    let handled = 0
    await consumer.run({
      topics: [topic],
      handler: async (record) => {
        // Partition 0 stops at offset 50 until released: its committed offset must stay at 50.
        if (record.partition === 0 && record.offset === 50n) await blocked
        handled++
      },
    })
    await waitFor(async () => (await kafka.committedOffsets(groupId, topic)).get(1) === 100n, { what: 'partition 1 auto-committed to 100' })
    expect((await kafka.committedOffsets(groupId, topic)).get(0)).toBe(50n)
    release()
    await waitFor(async () => (await kafka.committedOffsets(groupId, topic)).get(0) === 100n, { what: 'partition 0 auto-committed to 100' })
    await consumer.close()
    expect(handled).toBe(200)
  })

  it('dead-letters a failing record through a node-rdkafka producer and commits past it', async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 1, prefix: 'rdk-dlq' })
    const dlq = await kafka.createTopic({ partitions: 1, prefix: 'rdk-dlq-out' })
    await kafka.produce(topic, Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: `x${i}` } })))
    const groupId = group()
    onTestFinished(() => factory.cleanup?.())
    const consumer = await factory.createConsumer({
      bootstrapServers: inject('kafka').bootstrapServers,
      groupId,
      deadLetterTopic: dlq,
      offsetkit: { commit: 'per-message', failure: { retries: 0, then: 'dead-letter' } },
    })
    onTestFinished(() => consumer.close())
    await consumer.run({ topics: [topic], handler: (record) => { if (record.offset === 2n) throw new Error('poison') } })
    await waitFor(async () => (await kafka.committedOffsets(groupId, topic)).get(0) === 5n, { what: 'offset 5 committed' })
    await consumer.close()

    // Read the dead letter back with a plain node-rdkafka consumer.
    const reader = new Kafka.KafkaConsumer({ 'metadata.broker.list': inject('kafka').bootstrapServers, 'group.id': group() }, { 'auto.offset.reset': 'earliest' })
    await new Promise<void>((resolve, reject) => { reader.connect({}, (error) => (error ? reject(error) : resolve())) })
    onTestFinished(() => new Promise<void>((resolve) => { reader.disconnect(() => resolve()) }))
    reader.subscribe([dlq])
    const letters: Message[] = []
    await waitFor(() => new Promise<boolean>((resolve) => reader.consume(10, (error, messages) => {
      if (!error) letters.push(...messages)
      resolve(letters.length > 0)
    })), { what: 'the dead letter' })
    expect(letters).toHaveLength(1)
    const letter = letters[0] as Message
    expect(letter.value?.toString()).toBe('v2')
    expect(letter.key?.toString()).toBe('k2')
    const headers = Object.assign({}, ...(letter.headers ?? [])) as Record<string, Buffer>
    expect(headers.h?.toString()).toBe('x2')
    expect(headers[DEAD_LETTER_HEADERS.offset]?.toString()).toBe('2')
    expect(headers[DEAD_LETTER_HEADERS.error]?.toString()).toBe('poison')
  })

  it('eager rebalancing (range): a joining member makes the first commit everything before the assignment moves', async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 4, prefix: 'rdk-eager' })
    await kafka.produceCount(topic, 400, 4)
    const groupId = group()
    const first = newConsumer(groupId, { commit: 'manual' }, { 'partition.assignment.strategy': 'range' })
    const revoked: number[] = []
    first.on('partition.revoked', ({ partition }) => revoked.push(partition))
    let firstHandled = 0
    await first.run({ topics: [topic], handler: () => { firstHandled++ } })
    await waitFor(() => firstHandled === 400, { what: 'all 400 records processed' })
    const second = newConsumer(groupId, { commit: 'manual' }, { 'partition.assignment.strategy': 'range' })
    let secondHandled = 0
    await second.run({ topics: [topic], handler: () => { secondHandled++ } })
    // Eager: every partition is revoked (and committed) before the new assignment.
    await waitFor(() => revoked.length === 4, { what: 'all four partitions revoked', timeoutMs: 60_000 })
    expect(byPartition(await kafka.committedOffsets(groupId, topic))).toEqual({ 0: '100', 1: '100', 2: '100', 3: '100' })
    await waitFor(() => second.stats().partitions.length === 2, { what: 'the second member to own two partitions' })
    await Promise.all([first.close(), second.close()])
    expect(secondHandled).toBe(0)
  })

  it('runs the KIP-848 consumer group protocol (conformance factory, groupProtocol: consumer)', async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 3, prefix: 'rdk-848' })
    await kafka.produceCount(topic, 300, 3)
    const groupId = group()
    const consumer = await factory.createConsumer({
      bootstrapServers: inject('kafka').bootstrapServers,
      groupId,
      groupProtocol: 'consumer',
      offsetkit: { commit: { every: 50 } },
    })
    onTestFinished(() => consumer.close())
    let handled = 0
    await consumer.run({ topics: [topic], handler: () => { handled++ } })
    const ends = byPartition(await kafka.endOffsets(topic))
    await waitFor(async () => JSON.stringify(byPartition(await kafka.committedOffsets(groupId, topic))) === JSON.stringify(ends), {
      what: 'committed offsets to reach the end offsets', timeoutMs: 60_000,
    })
    await consumer.close()
    expect(handled).toBe(300)
  })
})
