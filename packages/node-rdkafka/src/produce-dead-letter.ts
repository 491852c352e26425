import type { DeadLetterMessage } from '@offsetkit/commit-core'
import type { DeliveryReport, LibrdKafkaError, Producer } from 'node-rdkafka'
import { headersToNodeRdkafka } from './node-rdkafka-records.js'

/** How often the producer is polled while a dead letter waits for its delivery report. */
const POLL_MS = 20

/**
 * Produces a dead letter and resolves only on its delivery report: `produce` merely enqueues,
 * and a skipped record must not count as done before its dead letter is durable. The report is
 * recognised by a unique opaque; the producer is polled meanwhile, since reports are only served
 * by `poll` (the user may not have set a poll interval).
 */
export function produceDeadLetter(producer: Producer, message: DeadLetterMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    const token = {}
    const timer = setInterval(() => {
      try {
        producer.poll()
      } catch {
        // Disconnected: produce() below or the report fails the dead letter.
      }
    }, POLL_MS)
    const onReport = (error: LibrdKafkaError | null | undefined, report: DeliveryReport): void => {
      if (report?.opaque !== token) return
      done()
      if (error) reject(error)
      else resolve()
    }
    const done = (): void => {
      clearInterval(timer)
      producer.removeListener('delivery-report', onReport)
    }
    producer.on('delivery-report', onReport)
    try {
      producer.produce(
        message.topic,
        null,
        message.value === null ? null : Buffer.from(message.value),
        message.key === null ? null : Buffer.from(message.key),
        null,
        token,
        headersToNodeRdkafka(message.headers),
      )
    } catch (error) {
      done()
      reject(error)
    }
  })
}
