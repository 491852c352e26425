import { KafkaJSBrokerNotFound, KafkaJSConnectionError, KafkaJSError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { ClientNotRunningError } from '@offsetkit/commit-core/adapter'
import { classifyKafkajsCommitError, isTransientKafkajsCrash } from '../src/classify-kafkajs-error.js'

// kafkajs builds protocol errors from the broker's error code; `type` is the protocol name.
const protocol = (type: string): Error => Object.assign(new KafkaJSProtocolError(type), { type })
// What kafkajs' retrier throws when it gives up: the original as `cause` (src/retry/index.js).
const wrapped = (error: Error): Error =>
  new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(error, { cause: error })

describe('classifyKafkajsCommitError', () => {
  it('maps protocol errors by type, also when the retrier wrapped them', () => {
    expect(classifyKafkajsCommitError(protocol('REBALANCE_IN_PROGRESS'))).toBe('rebalance')
    expect(classifyKafkajsCommitError(protocol('ILLEGAL_GENERATION'))).toBe('fenced')
    expect(classifyKafkajsCommitError(wrapped(protocol('NOT_COORDINATOR')))).toBe('retriable')
    expect(classifyKafkajsCommitError(protocol('GROUP_AUTHORIZATION_FAILED'))).toBe('fatal')
  })

  // Seen across a broker restart: the commit failed FATAL and the committed offset stayed behind.
  it('a connection error wrapped in KafkaJSNonRetriableError is retriable (the broker is restarting)', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')
    expect(classifyKafkajsCommitError(refused)).toBe('retriable')
    expect(classifyKafkajsCommitError(wrapped(refused))).toBe('retriable')
  })

  it("the port's ClientNotRunningError (runner stopped) is fenced", () => {
    expect(classifyKafkajsCommitError(new ClientNotRunningError('the kafkajs consumer is not running'))).toBe('fenced')
  })

  it('anything unknown is fatal', () => {
    expect(classifyKafkajsCommitError(new KafkaJSError('something else', { retriable: false }))).toBe('fatal')
    expect(classifyKafkajsCommitError('not even an error')).toBe('fatal')
  })
})

// kafkajs crashes its consumer without restarting it on these (validate: broker-restart-backlog ×
// kafkajs, "Failed to find group coordinator" after a broker restart); the adapter runs it again.
describe('isTransientKafkajsCrash', () => {
  it('the coordinator lookup failing on every broker (kafkajs: non-retriable): transient', () => {
    const notFound = new (KafkaJSGroupCoordinatorNotFound as unknown as new (m: string) => Error)('Failed to find group coordinator')
    expect(isTransientKafkajsCrash(notFound)).toBe(true)
  })

  it('a crash kafkajs deems retriable (so only restartOnFailure stopped its restart): not overridden', () => {
    expect(isTransientKafkajsCrash(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'))).toBe(false)
    expect(isTransientKafkajsCrash(new (KafkaJSBrokerNotFound as unknown as new (m: string) => Error)('No brokers in the broker pool'))).toBe(false)
    expect(isTransientKafkajsCrash(wrapped(new KafkaJSConnectionError('Connection error')))).toBe(false)
    const exceeded = new (KafkaJSNumberOfRetriesExceeded as unknown as new (e: Error, o: object) => Error)(new Error('x'), { retryCount: 5, retryTime: 100 })
    expect(isTransientKafkajsCrash(exceeded)).toBe(false)
  })

  it('faults no restart mends: not transient', () => {
    expect(isTransientKafkajsCrash(protocol('GROUP_AUTHORIZATION_FAILED'))).toBe(false)
    expect(isTransientKafkajsCrash(new KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first'))).toBe(false)
    expect(isTransientKafkajsCrash(new Error('boom'))).toBe(false)
  })
})
