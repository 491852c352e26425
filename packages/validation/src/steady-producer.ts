import type { Kafka, Producer } from 'kafkajs'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Produces at a fixed rate for as long as a scenario runs (acks all), round-robin over the
 * partitions, and remembers the highest acknowledged offset per partition. A send that fails
 * (broker down or frozen) is counted and production carries on at the same schedule.
 */
export class SteadyProducer {
  private producer: Producer | undefined
  private loop: Promise<void> | undefined
  private running = false
  private next = 0
  /** Highest acked offset + 1 per partition. */
  readonly acked: number[]
  sent = 0
  failedSends = 0

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly perSecond: number,
  ) {
    this.acked = Array.from({ length: partitions }, () => 0)
  }

  private async connected(): Promise<Producer> {
    if (this.producer === undefined) {
      // Not idempotent: after a send that timed out, kafkajs's idempotent producer can stay stuck
      // on sequence errors, and the run verifies by offsets, so a producer duplicate is harmless.
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 5, maxRetryTime: 3000 } })
      await producer.connect()
      this.producer = producer
    }
    return this.producer
  }

  private async send(count: number): Promise<void> {
    const messages = Array.from({ length: count }, () => {
      const partition = this.next++ % this.partitions
      return { partition, key: null, value: `m${this.next}` }
    })
    this.sent += count
    try {
      const results = await (await this.connected()).send({ topic: this.topic, acks: -1, timeout: 10_000, messages })
      const perPartition = new Map<number, number>()
      for (const m of messages) perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + 1)
      for (const r of results) {
        const end = Number(r.baseOffset) + (perPartition.get(r.partition) ?? 0)
        if (end > (this.acked[r.partition] ?? 0)) this.acked[r.partition] = end
      }
    } catch {
      this.failedSends++
    }
  }

  /** A backlog before the consumers start: `perPartition` records in each partition. */
  async backlog(perPartition: number): Promise<void> {
    for (let left = perPartition * this.partitions; left > 0; left -= 1000) await this.send(Math.min(1000, left))
  }

  start(): void {
    if (this.running) return
    this.running = true
    const started = Date.now()
    const base = this.sent
    this.loop = (async () => {
      while (this.running) {
        const due = Math.floor(((Date.now() - started) * this.perSecond) / 1000) - (this.sent - base)
        if (due > 0) await this.send(Math.min(due, 1000))
        else await sleep(20)
      }
    })()
  }

  /**
   * Stops producing; resolves once the last send settled, or after `timeoutMs` with `false` (a
   * send that hangs on a broker that does not answer must not hold the run forever).
   */
  async stop(timeoutMs = 60_000): Promise<boolean> {
    this.running = false
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
    try {
      return await Promise.race([(this.loop ?? Promise.resolve()).then(() => true), late])
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    await this.stop()
    await this.producer?.disconnect().catch(() => undefined)
  }
}
