import { afterEach, describe, expect, it } from 'vitest'
import { BrokerError, startBroker } from '../src/index.js'

describe('startBroker failures', () => {
  const path = process.env.PATH
  afterEach(() => {
    process.env.PATH = path
  })

  it('without java, maven or docker names the three ways to get a broker', async () => {
    process.env.PATH = '/nonexistent'
    const error = await startBroker({ mode: 'local' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BrokerError)
    expect((error as BrokerError).code).toBe('NO_BROKER_RUNTIME')
    const message = (error as BrokerError).message
    expect(message).toContain('KAFKA_BOOTSTRAP_SERVERS')
    expect(message).toContain('Docker')
    expect(message).toContain('Maven')
  })

  it('reports the log tail of a broker that dies while starting', async () => {
    // A heap the JVM cannot reserve makes it exit before Kafka starts.
    const error = await startBroker({ mode: 'local', heapMb: 64 * 1024 * 1024 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BrokerError)
    expect((error as BrokerError).code).toBe('BROKER_START_FAILED')
    expect((error as BrokerError).logTail.join('\n')).toMatch(/heap|memory|reserve/i)
  })
})
