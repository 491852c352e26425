import { KafkaJS } from '@confluentinc/kafka-javascript'
import { describe, expect, it } from 'vitest'
import { classifyConfluentCommitError } from '../src/classify-confluent-error.js'

const { ErrorCodes } = KafkaJS
const withCode = (code: number) => Object.assign(new Error(`code ${code}`), { code })

describe('classifyConfluentCommitError', () => {
  it.each([
    ['ERR_REBALANCE_IN_PROGRESS', 'rebalance'],
    ['ERR_ILLEGAL_GENERATION', 'fenced'],
    ['ERR_UNKNOWN_MEMBER_ID', 'fenced'],
    ['ERR_FENCED_INSTANCE_ID', 'fenced'],
    ['ERR_STALE_MEMBER_EPOCH', 'fenced'],
    ['ERR_UNKNOWN_TOPIC_OR_PART', 'fenced'],
    ['ERR__ASSIGNMENT_LOST', 'fenced'],
    ['ERR__STATE', 'fenced'],
    ['ERR_COORDINATOR_LOAD_IN_PROGRESS', 'retriable'],
    ['ERR_COORDINATOR_NOT_AVAILABLE', 'retriable'],
    ['ERR_NOT_COORDINATOR', 'retriable'],
    ['ERR_REQUEST_TIMED_OUT', 'retriable'],
    ['ERR_NETWORK_EXCEPTION', 'retriable'],
    ['ERR__WAIT_COORD', 'retriable'],
    ['ERR__TIMED_OUT', 'retriable'],
    ['ERR__ALL_BROKERS_DOWN', 'retriable'],
    ['ERR__TRANSPORT', 'retriable'],
    ['ERR__MAX_POLL_EXCEEDED', 'fenced'],
    ['ERR__NO_OFFSET', 'fenced'],
    ['ERR__DESTROY', 'fenced'],
    // librdkafka treats an unlisted OffsetCommit error as permanent (and Apache Kafka's Java
    // consumer an unexpected one as fatal): the one code table of both librdkafka adapters agrees.
    ['ERR_UNKNOWN', 'fatal'],
    ['ERR_GROUP_AUTHORIZATION_FAILED', 'fatal'],
    ['ERR_OFFSET_METADATA_TOO_LARGE', 'fatal'],
    ['ERR__INVALID_ARG', 'fatal'],
  ] as const)('%s (looked up in the installed client) → %s', (name, expected) => {
    const code = (ErrorCodes as Record<string, number>)[name]
    expect(code, `${name} exists in the client's ErrorCodes`).toBeTypeOf('number')
    expect(classifyConfluentCommitError(withCode(code as number))).toBe(expected)
  })

  it('finds the code on a wrapped cause and calls anything without a code fatal', () => {
    expect(classifyConfluentCommitError(new Error('wrapper', { cause: withCode(27) }))).toBe('rebalance')
    expect(classifyConfluentCommitError(new Error('KafkaConsumer is disconnected'))).toBe('fatal')
    expect(classifyConfluentCommitError('not an error')).toBe('fatal')
    expect(classifyConfluentCommitError(undefined)).toBe('fatal')
  })
})
