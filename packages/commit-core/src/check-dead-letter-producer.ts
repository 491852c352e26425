import { ConfigError } from './config-error.js'

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
