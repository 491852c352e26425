// No secret may show in a BrokerError, its log tail or cause: the broker's output, mvn's and
// Docker's can quote JAAS/SASL settings (server.properties, KAFKA_* environment variables).
import { describe, expect, it } from 'vitest'
import { BrokerError, secretLeaks, waitFor } from '../src/index.js'
import { resolveBrokerOptions } from '../src/broker-options.js'

const SECRET = 'hunter2-SECRET'

function rejection(fn: () => unknown): BrokerError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(BrokerError)
    expect(secretLeaks(error, SECRET)).toEqual([])
    return error as BrokerError
  }
  throw new Error('expected a BrokerError')
}

describe('BrokerError keeps secrets out', () => {
  it('secretLeaks finds a secret in a message, a field or a cause', () => {
    expect(secretLeaks(new Error(`x ${SECRET}`), SECRET)).toContain('error.message')
    expect(secretLeaks(Object.assign(new Error('x'), { config: { password: SECRET } }), SECRET)).toEqual(['error.JSON', 'error.inspect'])
    expect(secretLeaks(new Error('x', { cause: new Error(SECRET) }), SECRET)).toContain('cause[1].message')
  })

  it('redacts JAAS and SASL settings in the message, the log tail and the cause', () => {
    const tail = [
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${SECRET}" user_admin="${SECRET}";`,
      `KAFKA_SSL_KEYSTORE_PASSWORD=${SECRET}`,
      `\tsasl.client.callback.handler.class = null, ssl.key.password = ${SECRET}`,
      '[2025-01-01 00:00:00,000] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)',
    ]
    const cause = Object.assign(new Error(`docker run -e KAFKA_SASL_JAAS_CONFIG=${SECRET}`), { stdout: `password=${SECRET}` })
    const error = new BrokerError('BROKER_START_FAILED', `Kafka node 1 exited during start. Last log lines:\n${tail.join('\n')}`, { logTail: tail, cause })
    expect(secretLeaks(error, SECRET)).toEqual([])
    expect(error.logTail.join('\n')).not.toContain(SECRET)
    expect(error.logTail[3]).toBe(tail[3])
    expect(error.message).toContain('ERROR Exiting Kafka due to fatal exception')
  })

  it('names a misplaced secret-looking option without its value', () => {
    const error = rejection(() => resolveBrokerOptions({ 'sasl.password': SECRET } as never, {}))
    expect(error.message).toContain('"sasl.password" is set (string, value not shown)')
    rejection(() => resolveBrokerOptions({ sasl: { mechanism: 'plain', username: 'u', password: SECRET } } as never, {}))
  })

  it('redacts secrets inside a bad option value, and survives one JSON cannot render', () => {
    const error = rejection(() => resolveBrokerOptions({ version: `sasl.password=${SECRET}` }, {}))
    expect(error.message).toContain('sasl.password=[redacted]')
    const cyclic: Record<string, unknown> = { password: SECRET }
    cyclic.self = cyclic
    expect(rejection(() => resolveBrokerOptions({ nodes: cyclic } as never, {})).message).toContain('"nodes" is [object]')
  })

  it("waitFor's timeout does not repeat a secret the probe saw", async () => {
    const failed = await waitFor(() => { throw new Error(`auth failed, sasl.password=${SECRET}`) }, { timeoutMs: 0 }).catch((e: unknown) => e)
    expect(secretLeaks(failed, SECRET)).toEqual([])
    const returned = await waitFor(() => false, { timeoutMs: 0 }).catch((e: unknown) => e)
    expect((returned as Error).message).toContain('last: false')
  })
})
