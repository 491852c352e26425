// Through the package's own entry, never a copy: in the CJS build this subpath is a separate bundle,
// and a second ConfigError class would break `instanceof` for users who catch it.
import { ConfigError } from '@offsetkit/commit-core'

/**
 * Checks an adapter's `deadLetter.producer` before anything connects: an object with each of
 * `methods` as a function (`send` for the KafkaJS-style clients). `accepted` names, in the
 * client's own words, what to pass; the producer itself is never printed.
 */
export function checkDeadLetterProducer(producer: unknown, accepted: string, methods: readonly string[] = ['send']): void {
  if (typeof producer !== 'object' || producer === null || methods.some((method) => typeof (producer as Record<string, unknown>)[method] !== 'function')) {
    throw new ConfigError('deadLetter.producer', producer, accepted, { hideValue: true })
  }
}
