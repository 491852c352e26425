import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { ClientNotRunningError } from '@offsetkit/commit-core/adapter'
import { classifyKafkajsCommitError } from '../src/classify-kafkajs-error.js'

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
