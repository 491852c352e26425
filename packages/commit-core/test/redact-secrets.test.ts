// Secrets stay secret (DESIGN 16). Regression: a typo in a node-rdkafka config printed the whole
// config, sasl.password included, in the ConfigError message.
import { inspect } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import {
  ConfigError,
  OffsetError,
  REDACTED,
  clientConfigProperty,
  configErrorFromClient,
  consoleLogger,
  isSecretKey,
  redactSecrets,
  redactText,
  redactingLogger,
  secretValues,
  type Logger,
} from '../src/index.js'
import { describeKind, describeValue } from '../src/offsetkit-error.js'

const SECRET = 'hunter2-SECRET'

/** Where `SECRET` shows in an error: message, stack, String, JSON, inspect, along the cause chain. */
function leaks(error: unknown): string[] {
  const found: string[] = []
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 10; current = (current as { cause?: unknown }).cause, depth++) {
    const e = current as Error
    const views = { message: e.message, stack: e.stack, String: String(e), JSON: JSON.stringify(e), inspect: inspect(e, { depth: 10 }) }
    for (const [name, text] of Object.entries(views)) if (text?.includes(SECRET)) found.push(`${depth}.${name}`)
  }
  return found
}

describe('isSecretKey', () => {
  it.each([
    'sasl.password', 'sasl.username', 'sasl.mechanisms', 'sasl.jaas.config', 'sasl.oauthbearer.config', 'sasl.oauthbearer.client.secret',
    'sasl', 'saslMechanism', 'ssl.key.password', 'ssl.key.pem', 'ssl.key.location', 'ssl.keystore.location', 'ssl.keystore.password',
    'ssl.certificate.pem', 'ssl.pfx', 'basic.auth.user.info', 'schema.registry.basic.auth.user.info', 'oauthBearerProvider',
    'sasl.oauthBearerProvider', 'apiKey', 'api.key', 'API_KEY', 'apiSecret', 'client_secret', 'accessToken', 'sessionToken',
    'secretAccessKey', 'accessKeyId', 'credentials', 'basic.auth.credentials.source', 'privateKey', 'passphrase', 'PASSWORD',
    'Sasl.Password', 'KAFKA_SASL_JAAS_CONFIG', 'KAFKA_SSL_KEY_PASSWORD', 'Authorization', 'user_admin',
    // option paths, as errors name them
    'config["sasl.password"]', "config['ssl.key.pem']", 'config.kafkaJS.sasl', 'config.kafkaJS.ssl.key', 'options.sasl.password',
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true)
  })

  it.each([
    'group.id', 'bootstrap.servers', 'metadata.broker.list', 'security.protocol', 'ssl.ca.location', 'ssl.certificate.location',
    'key', 'value', 'enable.auto.commit', 'commit.every', 'deadLetter.producer', 'topics[0]', 'config["sesion.timeout.ms"]',
    'client.id', 'clientId', 'brokers', 'maxInFlight', 'port.capabilities.leaderEpoch', '',
  ])('%s is not secret', (key) => {
    expect(isSecretKey(key)).toBe(false)
  })
})

describe('redactSecrets', () => {
  it('replaces secret values, case-insensitively, and keeps everything else', () => {
    const config = { 'bootstrap.servers': 'h:9092', 'SASL.PASSWORD': SECRET, 'group.id': 'g', 'ssl.ca.location': '/ca.pem' }
    expect(redactSecrets(config)).toEqual({ 'bootstrap.servers': 'h:9092', 'SASL.PASSWORD': REDACTED, 'group.id': 'g', 'ssl.ca.location': '/ca.pem' })
    expect(config['SASL.PASSWORD']).toBe(SECRET) // the input is never changed
  })

  it("redacts kafkajs' nested sasl object whole, and ssl.key under an ssl object", () => {
    const config = {
      brokers: ['h:9092'],
      sasl: { mechanism: 'plain', username: 'bob', password: SECRET },
      ssl: { ca: 'CA', key: SECRET, cert: 'CERT', passphrase: SECRET },
    }
    expect(redactSecrets(config)).toEqual({ brokers: ['h:9092'], sasl: REDACTED, ssl: { ca: 'CA', key: REDACTED, cert: 'CERT', passphrase: REDACTED } })
  })

  it('goes through arrays, Maps and Sets at any depth', () => {
    const value = {
      clients: [{ config: { 'sasl.oauthbearer.config': SECRET, 'client.id': 'a' } }],
      byName: new Map<unknown, unknown>([['token', SECRET], ['plain', 'ok'], [1, { apiKey: SECRET }]]),
      seen: new Set([{ password: SECRET }]),
      note: `password=${SECRET}`,
    }
    const safe = redactSecrets(value)
    expect(inspect(safe, { depth: 20 })).not.toContain(SECRET)
    expect(safe.clients[0]?.config['client.id']).toBe('a')
    expect(safe.byName.get('token')).toBe(REDACTED)
    expect(safe.byName.get('plain')).toBe('ok')
    expect(safe.byName.get(1)).toEqual({ apiKey: REDACTED })
    expect([...safe.seen]).toEqual([{ password: REDACTED }])
    expect([...redactSecrets(new Map([[`token=${SECRET}`, 1]])).keys()]).toEqual([`token=${REDACTED}`])
    expect(safe.note).toBe(`password=${REDACTED}`)
  })

  it('survives cycles and keeps their shape', () => {
    const config: Record<string, unknown> = { 'sasl.password': SECRET, name: 'c' }
    config.self = config
    config.list = [config]
    const safe = redactSecrets(config)
    expect(safe.self).toBe(safe)
    expect((safe.list as unknown[])[0]).toBe(safe)
    expect(safe['sasl.password']).toBe(REDACTED)
    expect(inspect(safe, { depth: 10 })).not.toContain(SECRET)
  })

  it('copies whatever leads to a secret, even through a cycle that reaches it last', () => {
    const a: Record<string, unknown> = { name: 'a' }
    const b: Record<string, unknown> = { back: a }
    a.next = b
    a.password = SECRET
    const safe = redactSecrets({ b })
    expect(inspect(safe, { depth: 10 })).not.toContain(SECRET)
  })

  it('returns what holds no secret as is: same reference, functions and binary data untouched', () => {
    const clean = { a: 1, nested: { b: [1, 2] }, fn: () => 1, bytes: new Uint8Array([1]), when: new Date(0) }
    expect(redactSecrets(clean)).toBe(clean)
    const mixed = { clean: clean.nested, dirty: { token: SECRET } }
    expect(redactSecrets(mixed).clean).toBe(clean.nested)
    for (const value of [undefined, null, 3, 3n, true, Symbol.for('x')]) expect(redactSecrets(value)).toBe(value)
  })

  it('keeps undefined secret fields as they are (nothing to hide)', () => {
    const config = { password: undefined, id: 1 }
    expect(redactSecrets(config)).toBe(config)
  })

  it('copies class instances with their prototype, and never invokes getters', () => {
    class Client {
      globalConfig = { 'sasl.password': SECRET, 'group.id': 'g' }
      hello(): string {
        return 'hi'
      }
    }
    const getter = vi.fn(() => SECRET)
    const withGetters = Object.defineProperties({}, {
      token: { get: getter, enumerable: true },
      plain: { get: () => 'fine', enumerable: true },
    })
    const safe = redactSecrets({ client: new Client(), withGetters, [Symbol('s')]: { password: SECRET } })
    expect(safe.client).toBeInstanceOf(Client)
    expect(safe.client.hello()).toBe('hi')
    expect(safe.client.globalConfig).toEqual({ 'sasl.password': REDACTED, 'group.id': 'g' })
    expect(getter).not.toHaveBeenCalled()
    expect(Object.getOwnPropertyDescriptor(safe.withGetters, 'token')?.value).toBe(REDACTED)
    expect((safe.withGetters as { plain: string }).plain).toBe('fine')
    expect(inspect(safe, { depth: 10 })).not.toContain(SECRET)
  })

  it('copies errors: real Errors of the same class and code, secrets out of message, stack, fields and cause', () => {
    class ClientError extends Error {
      code = -186
    }
    const inner = new Error(`ssl.key.password=${SECRET}`)
    const outer = new ClientError(`Invalid value "${SECRET}" for configuration property "security.protocol"`, { cause: inner })
    const aggregate = new AggregateError([new Error(SECRET)], 'many')
    const safe = redactSecrets({ outer, aggregate, config: { 'sasl.password': SECRET } })
    expect(safe.outer).toBeInstanceOf(ClientError)
    expect(safe.outer).toBeInstanceOf(Error)
    expect(safe.outer.code).toBe(-186)
    expect(safe.outer.message).toBe(`Invalid value "${REDACTED}" for configuration property "security.protocol"`)
    expect(Object.keys(safe.outer)).toEqual(['code'])
    expect(leaks(safe.outer)).toEqual([])
    expect((safe.outer.cause as Error).message).toBe(`ssl.key.password=${REDACTED}`)
    expect(inspect(safe.aggregate, { depth: 10, showHidden: true })).not.toContain(SECRET)
  })

  it('scrubs known secrets given from elsewhere, also from an error built without a message', () => {
    const bare = new Error()
    bare.stack = `Error: boom ${SECRET}\n    at somewhere`
    const safe = redactSecrets(bare, { secrets: [SECRET] })
    expect(safe).not.toBe(bare)
    expect(safe.stack).not.toContain(SECRET)
    expect(redactSecrets(`says ${SECRET.toLowerCase()}`, { secrets: [SECRET] })).toBe(`says ${REDACTED}`)
  })

  it('shows a throwing proxy or too big a graph as truncated instead of reading it', () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no') } })
    expect(redactSecrets({ hostile }).hostile).toBe('[truncated]')
    expect(redactSecrets(hostile)).toBe('[truncated]')
    const wide = { items: Array.from({ length: 10_001 }, (_, i) => ({ i })) }
    const safe = redactSecrets(wide)
    expect(safe.items.at(-1)).toBe('[truncated]')
  })
})

describe('secretValues', () => {
  it('lists the strings under secret keys, however deep', () => {
    const config = { 'sasl.password': SECRET, sasl: { mechanism: 'plain', username: 'bob', password: 'pw2' }, empty: { token: '' }, port: 1 }
    expect(secretValues(config).sort()).toEqual([SECRET, 'bob', 'plain', 'pw2'].sort())
    expect(secretValues('not a config')).toEqual([])
  })

  it('stops at cycles, opaque values and throwing proxies', () => {
    const inner: Record<string, unknown> = { password: 'pw3' }
    inner.self = inner
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no') } })
    expect(secretValues({ sasl: { a: inner, b: inner, when: new Date(0), hostile } })).toEqual(['pw3'])
  })
})

describe('redactText', () => {
  it.each([
    [`sasl.password=${SECRET}`, `sasl.password=${REDACTED}`],
    [`"sasl.password":"${SECRET}"`, `"sasl.password":"${REDACTED}"`],
    [`{ 'sasl.password': '${SECRET}' }`, `{ 'sasl.password': '${REDACTED}' }`],
    [`KAFKA_SSL_KEY_PASSWORD=${SECRET}`, `KAFKA_SSL_KEY_PASSWORD=${REDACTED}`],
    [`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="bob" password="${SECRET}";`,
      `sasl.jaas.config=${REDACTED}`],
    [`KAFKA_SASL_JAAS_CONFIG=x.PlainLoginModule required user_admin="${SECRET}"; next=1`, `KAFKA_SASL_JAAS_CONFIG=${REDACTED} next=1`],
    [`{"sasl.jaas.config":"x required password=\\"${SECRET}\\";"}`, `{"sasl.jaas.config":"${REDACTED}"}`],
    [`org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="${SECRET}";`,
      `org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="${REDACTED}";`],
    [`Invalid value "${SECRET}" for configuration property "sasl.mechanisms"`, `Invalid value "${REDACTED}" for configuration property "sasl.mechanisms"`],
    [`Invalid value "x" for configuration property "security.protocol"`, `Invalid value "x" for configuration property "security.protocol"`],
    [`GET https://bob:${SECRET}@registry/subjects`, `GET https://bob:${REDACTED}@registry/subjects`],
    [`Authorization: Bearer ${SECRET}`, `Authorization: ${REDACTED}`],
    [`sent Bearer ${SECRET}`, `sent Bearer ${REDACTED}`],
    ['ssl.keystore.password = [hidden]', `ssl.keystore.password = ${REDACTED}`],
    ['group.id=g, commit.every: 10, http://host:9092', 'group.id=g, commit.every: 10, http://host:9092'],
  ])('%s', (text, expected) => {
    expect(redactText(text)).toBe(expected)
  })

  it('scrubs known secrets wherever they appear, longest first, but not short or public values', () => {
    expect(redactText(`x ${SECRET} y ${SECRET.toUpperCase()}`, [SECRET, 'hunter'])).toBe(`x ${REDACTED} y ${REDACTED}`)
    expect(redactText('SASL PLAIN for ab', ['PLAIN', 'ab', 'true'])).toBe('SASL PLAIN for ab')
    expect(redactText('a (b) c', ['(b)'])).toBe(`a ${REDACTED} c`)
  })
})

describe('ConfigError', () => {
  it('shows a redacted value, never the secret inside it', () => {
    const config = { 'group.id': 'g', 'sasl.password': SECRET }
    const error = new ConfigError('consumer', config, 'a kafkajs Consumer')
    expect(error.message).toContain('"group.id":"g"')
    expect(error.value).toEqual({ 'group.id': 'g', 'sasl.password': REDACTED })
    expect(leaks(error)).toEqual([])
  })

  it('names a secret-looking option without its value', () => {
    const error = new ConfigError('config["sasl.passwrd"]', SECRET, 'a known property')
    expect(error.message).toBe('Invalid option config["sasl.passwrd"]: got a string (a secret-looking option: value not shown); expected a known property')
    expect(error.value).toBe(REDACTED)
    expect(leaks(error)).toEqual([])
    expect(new ConfigError('options.sasl', { password: SECRET }, 'no such option').message).toContain('got an object (a secret-looking option')
    expect(new ConfigError('sasl.password', undefined, 'a string').message).toContain('got undefined')
  })

  it('hides a whole config on request, and scrubs known secrets from accepted and cause', () => {
    const cause = new Error(`Invalid value "${SECRET}" for configuration property "security.protocol"`)
    const error = new ConfigError('config', new Map([['k', 1]]), `a config (${cause.message})`, { hideValue: true, cause, secrets: [SECRET] })
    expect(error.message).toContain('got a Map (not shown)')
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.cause).not.toBe(cause)
    expect(leaks(error)).toEqual([])
    expect(new ConfigError('config', null, 'an object', { hideValue: true }).message).toContain('got null')
  })

  it('keeps a cause without secrets as it is', () => {
    const cause = new Error('plain')
    expect(new ConfigError('x', 1, 'y', { cause }).cause).toBe(cause)
  })
})

describe('describeValue and describeKind', () => {
  it('renders instances by kind and redacts strings and objects', () => {
    class Producer {
      config = { 'sasl.password': SECRET }
    }
    expect(describeValue(new Producer())).toBe('a Producer')
    expect(describeValue(`sasl.password=${SECRET}`)).toBe(JSON.stringify(`sasl.password=${REDACTED}`))
    expect(describeValue({ token: SECRET })).toBe(`{"token":"${REDACTED}"}`)
    expect(describeValue(Object.create(null))).toBe('{}')
  })

  it.each([
    [undefined, 'undefined'], [null, 'null'], [[1], 'an array'], [{}, 'an object'], [Object.create(null), 'an object'],
    [new Map(), 'a Map'], ['s', 'a string'], [1, 'a number'], [1n, 'a bigint'], [true, 'a boolean'], [Symbol('x'), 'a symbol'],
    [() => 1, 'a function'], [new (class {})(), 'an object'],
  ])('describeKind(%o) is %s', (value, kind) => {
    expect(describeKind(value)).toBe(kind)
  })
})

describe('OffsetError', () => {
  it('keeps a redacted value', () => {
    const error = new OffsetError({ token: SECRET }, 'expected a bigint')
    expect(error.value).toEqual({ token: REDACTED })
    expect(leaks(error)).toEqual([])
  })
})

describe('configErrorFromClient', () => {
  const config = { 'group.id': 'g', 'sasl.password': SECRET, 'sesion.timeout.ms': 1, 'security.protocol': SECRET, 'sasl.passwrd': SECRET }

  it.each([
    ['No such configuration property: "sesion.timeout.ms"', 'sesion.timeout.ms'],
    ['Invalid value for configuration property "session.timeout.ms"', 'session.timeout.ms'],
    [`Invalid value "${SECRET}" for configuration property "security.protocol"`, 'security.protocol'],
    ['Configuration property "sasl.oauthbearer.method" not supported in this build: OAuth/OIDC depends on libcurl', 'sasl.oauthbearer.method'],
    ['Expected bool value for "enable.sasl.oauthbearer.unsecure.jwt": true or false', 'enable.sasl.oauthbearer.unsecure.jwt'],
    ["The 'sesionTimeout' property is not supported.", 'sesionTimeout'],
    ['Broker transport failure', undefined],
  ])('finds the property in %s', (message, property) => {
    expect(clientConfigProperty(new Error(message))).toBe(property)
    expect(clientConfigProperty(message)).toBe(property)
  })

  it('ignores what is neither an error nor a string', () => {
    expect(clientConfigProperty(42)).toBeUndefined()
  })

  it('names the offending key next to a secret, and keeps the secret out of everything', () => {
    const error = configErrorFromClient(new Error('No such configuration property: "sesion.timeout.ms"'), [{ option: 'config', config }], 'a config librdkafka accepts')
    expect(error.option).toBe('config["sesion.timeout.ms"]')
    expect(error.value).toBe(1)
    expect(error.message).toContain('the client said: No such configuration property')
    expect(leaks(error)).toEqual([])
  })

  it('scrubs a value the client echoed', () => {
    const thrown = new Error(`Invalid value "${SECRET}" for configuration property "security.protocol"`)
    const error = configErrorFromClient(thrown, [{ option: 'config', config }], 'a config librdkafka accepts')
    expect(error.option).toBe('config["security.protocol"]')
    expect(error.cause).toBeInstanceOf(Error)
    expect(leaks(error)).toEqual([])
  })

  it('never shows the value of a secret-looking offending key', () => {
    const error = configErrorFromClient(new Error('No such configuration property: "sasl.passwrd"'), [{ option: 'config', config }], 'a config librdkafka accepts')
    expect(error.option).toBe('config["sasl.passwrd"]')
    expect(error.message).toContain('value not shown')
    expect(leaks(error)).toEqual([])
  })

  it('looks the key up in every source, and names the whole config (hidden) when no source has it', () => {
    const topic = { 'auto.ofset.reset': 'earliest' }
    const sources = [{ option: 'config', config }, { option: 'topicConfig', config: topic }]
    expect(configErrorFromClient(new Error('No such configuration property: "auto.ofset.reset"'), sources, 'x').option).toBe('topicConfig["auto.ofset.reset"]')
    const unknown = configErrorFromClient(new Error('Invalid value for configuration property "session.timeout.ms"'), sources, 'x')
    expect(unknown.option).toBe('config')
    expect(unknown.message).toContain('got an object (not shown)')
    expect(leaks(unknown)).toEqual([])
    expect(configErrorFromClient('odd', [], 'x').option).toBe('config')
  })
})

describe('loggers', () => {
  it('redactingLogger scrubs messages and contexts', () => {
    const lines: unknown[][] = []
    const sink: Logger = {
      debug: (...args) => lines.push(args),
      info: (...args) => lines.push(args),
      warn: (...args) => lines.push(args),
      error: (...args) => lines.push(args),
    }
    const logger = redactingLogger(sink, [SECRET])
    logger.debug(`said ${SECRET}`)
    logger.info('x', { error: `Invalid value "${SECRET}" for configuration property "security.protocol"` })
    logger.warn('y', { config: { 'sasl.password': SECRET } })
    logger.error('z', { nested: [{ token: SECRET }] })
    expect(lines).toHaveLength(4)
    expect(inspect(lines, { depth: 10 })).not.toContain(SECRET)
  })

  it('the default console logger redacts too', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      consoleLogger().warn(`client said sasl.password=${SECRET}`, { config: { 'sasl.password': SECRET } })
      consoleLogger().warn(`client said sasl.password=${SECRET}`)
      expect(warn).toHaveBeenCalledTimes(2)
      expect(inspect(warn.mock.calls, { depth: 10 })).not.toContain(SECRET)
    } finally {
      warn.mockRestore()
    }
  })
})
