// How each client is configured for the validation consumer: the adapters' conformance factories'
// settings, plus the group protocol, static membership and session timeout under test.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import type { OffsetkitConsumer, OffsetkitOptions } from '@offsetkit/commit-core'
import { offsetkitConfluent } from '@offsetkit/confluent'
import { offsetkitKafkajs } from '@offsetkit/kafkajs'
import { offsetkitNodeRdkafka } from '@offsetkit/node-rdkafka'
import { Kafka, logLevel } from 'kafkajs'
import type { ConsumerGlobalConfig } from 'node-rdkafka'
import type { ConsumerArgs } from './consumer-args.js'

export function createValidationConsumer(args: ConsumerArgs): OffsetkitConsumer {
  const classic = args.protocol === 'classic'
  // The membership probe must start before the session can expire: the classic session timeout
  // is the consumer's, KIP-848's the broker's (10 s on the validation cluster).
  const options: OffsetkitOptions<never> = { commit: args.commit, liveness: { membershipProbeMs: Math.floor(Math.min(args.sessionTimeoutMs, 10_000) / 2) } }
  const heartbeat = Math.max(100, Math.min(500, Math.floor(args.sessionTimeoutMs / 3)))
  switch (args.client) {
    case 'kafkajs': {
      const kafka = new Kafka({ brokers: args.bootstrap.split(','), clientId: 'offsetkit-validation', logLevel: logLevel.NOTHING })
      const consumer = kafka.consumer({
        groupId: args.group,
        maxWaitTimeInMs: 250,
        sessionTimeout: args.sessionTimeoutMs,
        heartbeatInterval: heartbeat,
        rebalanceTimeout: Math.max(10_000, args.sessionTimeoutMs),
      })
      // With the Kafka instance the adapter runs the group check (partitions no member moves).
      return offsetkitKafkajs(consumer, { ...options, kafka, fromBeginning: true }) as OffsetkitConsumer
    }
    case 'confluent': {
      // OFFSETKIT_VALIDATE_CLIENT_DEBUG=cgrp,protocol,…: librdkafka's debug contexts, logged to the
      // consumer's log (stderr) — what the group coordinator told this member, and when.
      const debug = process.env['OFFSETKIT_VALIDATE_CLIENT_DEBUG']
      const kafka = new KafkaJS.Kafka({
        kafkaJS: {
          brokers: args.bootstrap.split(','),
          ...(debug ? { logLevel: KafkaJS.logLevel.DEBUG, logger: stderrLogger() } : { logLevel: KafkaJS.logLevel.NOTHING }),
        },
      })
      const kafkaJS: KafkaJS.ConsumerConfig = {
        groupId: args.group,
        fromBeginning: true,
        // KIP-848 moves assignors and session timeouts to the broker; the client rejects them there.
        ...(classic ? { sessionTimeout: args.sessionTimeoutMs, heartbeatInterval: heartbeat } : {}),
      }
      return offsetkitConfluent(
        kafka,
        {
          kafkaJS,
          ...(classic ? {} : { 'group.protocol': 'consumer' as const }),
          ...(debug ? { debug } : {}),
          ...(args.instanceId === undefined ? {} : { 'group.instance.id': args.instanceId }),
        },
        options,
      ) as OffsetkitConsumer
    }
    case 'node-rdkafka': {
      const config: ConsumerGlobalConfig = { 'metadata.broker.list': args.bootstrap, 'group.id': args.group }
      if (classic) {
        Object.assign(config, {
          'partition.assignment.strategy': 'cooperative-sticky',
          'session.timeout.ms': args.sessionTimeoutMs,
          'heartbeat.interval.ms': heartbeat,
        })
      } else {
        config['group.protocol'] = 'consumer'
      }
      if (args.instanceId !== undefined) config['group.instance.id'] = args.instanceId
      return offsetkitNodeRdkafka({ config, topicConfig: { 'auto.offset.reset': 'earliest' } }, options) as OffsetkitConsumer
    }
  }
}

/** A KafkaJS-API logger that writes every line, with its time, to stderr (the consumer's log). */
function stderrLogger(): KafkaJS.Logger {
  const write = (level: string) => (message: string, extra?: object): void => {
    process.stderr.write(`${new Date().toISOString()} ${level} ${message} ${extra === undefined ? '' : JSON.stringify(extra)}\n`)
  }
  const logger: KafkaJS.Logger = {
    info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug'),
    namespace: () => logger,
    setLogLevel: () => undefined,
  }
  return logger
}
