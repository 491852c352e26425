import { describe, expect, it } from 'vitest'
import { matchesRdkafkaCommitReport, topicPartitionKey } from '../src/index.js'

describe('matchesRdkafkaCommitReport', () => {
  const expected = new Map([[topicPartitionKey('t', 0), 5], [topicPartitionKey('t', 1), 7]])

  it('matches a report of exactly the pending offsets, in any order', () => {
    expect(matchesRdkafkaCommitReport(expected, [{ topic: 't', partition: 1, offset: 7 }, { topic: 't', partition: 0, offset: 5 }], false)).toBe(true)
  })

  it('ignores reports of other commits (another offset, fewer or more partitions)', () => {
    expect(matchesRdkafkaCommitReport(expected, [{ topic: 't', partition: 0, offset: 4 }, { topic: 't', partition: 1, offset: 7 }], false)).toBe(false)
    expect(matchesRdkafkaCommitReport(expected, [{ topic: 't', partition: 0, offset: 5 }], false)).toBe(false)
    expect(matchesRdkafkaCommitReport(expected, [], false)).toBe(false)
  })

  it('an Error element (a failed partition) can fail the commit, never acknowledge it', () => {
    const report = [{ topic: 't', partition: 0, offset: 5 }, new Error('Broker: Not coordinator')]
    expect(matchesRdkafkaCommitReport(expected, report, true)).toBe(true)
    expect(matchesRdkafkaCommitReport(expected, report, false)).toBe(false)
  })
})
