import {
  checkDeadLetterProducer,
  ConfigError,
  checkDeadLetterTopic,
  createOffsetkitConsumer,
  type DeadLetterTopicOption,
  type OffsetkitConsumer,
  type OffsetkitOptions,
} from '@offsetkit/commit-core'
import type { Consumer, KafkaMessage, Producer } from 'kafkajs'
import { KafkajsDriver } from './kafkajs-driver.js'

/** This adapter's own options, next to core's (listed when an option is unknown). */
const ADAPTER_OPTIONS = ['fromBeginning', 'deadLetter'] as const satisfies ReadonlyArray<Exclude<keyof KafkajsOffsetkitOptions, keyof OffsetkitOptions>>

export interface KafkajsOffsetkitOptions extends OffsetkitOptions<KafkaMessage> {
  /** Passed to `consumer.subscribe`: where a group without committed offsets starts. Default false. */
  readonly fromBeginning?: boolean
  /** Required by `failure: { then: 'dead-letter' }`: a connected kafkajs producer, and where to send. */
  readonly deadLetter?: { readonly producer: Producer; readonly topic?: DeadLetterTopicOption }
}

/**
 * Wraps a kafkajs consumer (created, not yet running) in offsetkit. Options are checked now,
 * before anything connects.
 */
export function offsetkitKafkajs(consumer: Consumer, options: KafkajsOffsetkitOptions = {}): OffsetkitConsumer<KafkaMessage> {
  if (consumer === null || typeof consumer !== 'object' || typeof consumer.run !== 'function' || typeof consumer.commitOffsets !== 'function') {
    throw new ConfigError('consumer', consumer, 'a kafkajs Consumer (kafka.consumer({ groupId }))', { hideValue: true })
  }
  const { fromBeginning, deadLetter, ...core } = options
  if (fromBeginning !== undefined && typeof fromBeginning !== 'boolean') throw new ConfigError('fromBeginning', fromBeginning, 'true or false')
  if (deadLetter !== undefined) {
    checkDeadLetterProducer(deadLetter?.producer, 'a connected kafkajs Producer')
    checkDeadLetterTopic(deadLetter.topic, 'deadLetter.topic')
  }
  const driver = new KafkajsDriver(consumer, { fromBeginning: fromBeginning ?? false, deadLetter })
  return createOffsetkitConsumer(driver, core, ADAPTER_OPTIONS)
}
