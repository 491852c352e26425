import Kafka from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { classifyNodeRdkafkaCommitError } from '../src/index.js'

const { ERRORS } = Kafka.CODES
// The codes exactly as node-rdkafka throws them (commitSync) or reports them ('offset.commit').
const error = (code: number) => Object.assign(new Error(`code ${code}`), { code, errno: code, origin: code < 0 ? 'local' : 'kafka' })

describe('classifyNodeRdkafkaCommitError', () => {
  it.each([
    ['ERR_REBALANCE_IN_PROGRESS', 'rebalance'],
    // A commit sent while the member rejoins: re-sent after the assignment changes, for partitions still owned.
    ['ERR_ILLEGAL_GENERATION', 'rebalance'],
    ['ERR_UNKNOWN_MEMBER_ID', 'fenced'],
    ['ERR_FENCED_INSTANCE_ID', 'fenced'],
    // KIP-848: the member's epoch moved on (a new assignment) while the commit was on its way;
    // librdkafka's retry carries the new one. Only a released partition is never re-sent.
    ['ERR_STALE_MEMBER_EPOCH', 'retriable'],
    ['ERR__ASSIGNMENT_LOST', 'fenced'],
    ['ERR__STATE', 'fenced'],
    ['ERR__NO_OFFSET', 'fenced'],
    ['ERR__MAX_POLL_EXCEEDED', 'fenced'],
    ['ERR_COORDINATOR_LOAD_IN_PROGRESS', 'retriable'],
    ['ERR_COORDINATOR_NOT_AVAILABLE', 'retriable'],
    ['ERR_NOT_COORDINATOR', 'retriable'],
    ['ERR__TIMED_OUT', 'retriable'],
    ['ERR__TRANSPORT', 'retriable'],
    ['ERR_REQUEST_TIMED_OUT', 'retriable'],
    ['ERR_NETWORK_EXCEPTION', 'retriable'],
    ['ERR__WAIT_COORD', 'retriable'],
    ['ERR__ALL_BROKERS_DOWN', 'retriable'],
    ['ERR_UNKNOWN_TOPIC_OR_PART', 'fenced'],
    ['ERR__DESTROY', 'fenced'],
    ['ERR_UNKNOWN', 'fatal'],
    ['ERR_GROUP_AUTHORIZATION_FAILED', 'fatal'],
    ['ERR_OFFSET_METADATA_TOO_LARGE', 'fatal'],
    ['ERR__FATAL', 'fatal'],
  ] as const)('%s → %s', (name, expected) => {
    const code = (ERRORS as Record<string, number | undefined>)[name]
    expect(code).toBeTypeOf('number')
    expect(classifyNodeRdkafkaCommitError(error(code as number))).toBe(expected)
  })

  // The same table as confluent's (one librdkafka table in core); node-rdkafka now also finds the
  // code on a cause, as confluent always did.
  it('finds the code on a wrapped cause', () => {
    expect(classifyNodeRdkafkaCommitError(new Error('wrapper', { cause: error(ERRORS.ERR_REBALANCE_IN_PROGRESS as number) }))).toBe('rebalance')
  })

  it('anything without a numeric code is fatal', () => {
    expect(classifyNodeRdkafkaCommitError(new Error('boom'))).toBe('fatal')
    expect(classifyNodeRdkafkaCommitError('boom')).toBe('fatal')
    expect(classifyNodeRdkafkaCommitError(undefined)).toBe('fatal')
  })
})
