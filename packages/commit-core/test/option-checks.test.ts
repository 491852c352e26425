import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/index.js'
import { checkObject, closestName } from '../src/option-checks.js'

describe('closestName (did-you-mean)', () => {
  const names = ['commit', 'concurrency', 'maxInFlight', 'maxInFlightPerPartition', 'fromBeginning', 'deadLetter']
  it.each([
    ['comit', 'commit'],
    ['commti', 'commit'],
    ['maxinflight', 'maxInFlight'],
    ['fromBegining', 'fromBeginning'],
    ['deadletter', 'deadLetter'],
    ['dlq', undefined],
    ['x', undefined],
  ])('%s → %s', (name, expected) => {
    expect(closestName(name, names)).toBe(expected)
  })

  it('nested option objects suggest too', () => {
    expect(() => checkObject('commitRetry', { retires: 3 }, ['retries', 'backoff'], '{ retries?, backoff? }')).toThrow(ConfigError)
    expect(() => checkObject('commitRetry', { retires: 3 }, ['retries', 'backoff'], '{ retries?, backoff? }')).toThrow(/did you mean retries\?/)
  })
})
