import { describe, expect, it } from 'vitest'
import { BrokerError } from '../src/index.js'
import { resolveBrokerOptions } from '../src/broker-options.js'
import { newClusterId } from '../src/local-cluster.js'

function rejection(fn: () => unknown): BrokerError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(BrokerError)
    return error as BrokerError
  }
  throw new Error('expected a BrokerError')
}

describe('resolveBrokerOptions', () => {
  it('defaults to one node of Kafka 4.1.1 picked automatically', () => {
    expect(resolveBrokerOptions({}, {})).toMatchObject({ nodes: 1, version: '4.1.1', mode: 'auto', heapMb: 512, appendLingerMs: 5 })
  })

  it.each([
    [{ nodes: 2 }, 'nodes', '1 or 3'],
    [{ version: 'latest' }, 'version', 'a Kafka version'],
    [{ version: '3.9.0' }, 'version', 'Kafka 4.x'],
    [{ mode: 'podman' }, 'mode', 'auto | external | docker | local'],
    [{ heapMb: 64 }, 'heapMb', 'an integer ≥ 128'],
    [{ appendLingerMs: -1 }, 'appendLingerMs', 'an integer ≥ 0'],
    [{ startTimeoutMs: 1.5 }, 'startTimeoutMs', 'an integer'],
    [{ onLog: 'yes' }, 'onLog', 'a function'],
    [{ nodez: 3 }, 'nodez', 'one of the options'],
  ])('rejects %o naming the option and what is accepted', (options, option, accepted) => {
    const error = rejection(() => resolveBrokerOptions(options as never, {}))
    expect(error.code).toBe('INVALID_OPTION')
    expect(error.message).toContain(`"${option}"`)
    expect(error.message).toContain(accepted)
  })

  it('names the OFFSETKIT_BROKER variable when the environment holds a bad mode', () => {
    const error = rejection(() => resolveBrokerOptions({}, { OFFSETKIT_BROKER: 'k8s' }))
    expect(error.message).toContain('"OFFSETKIT_BROKER"')
  })
})

describe('newClusterId', () => {
  // Regression: an id starting with '-' made `kafka-storage format -t <id>` fail with a usage error.
  it('is 22 base64url characters and never starts with "-"', () => {
    for (let i = 0; i < 5000; i++) {
      const id = newClusterId()
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
    }
  })
})
