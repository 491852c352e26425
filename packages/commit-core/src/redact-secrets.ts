
/**
 * The one place that knows what is secret. Values of secret-looking settings (`sasl.*`,
 * `*password*`, `ssl.key*`, `*token*`, kafkajs' `sasl: { … }` object, …) never reach an error
 * message, a `cause`, a log line or an event: every place that renders something it received goes
 * through `redactSecrets` (values) or `redactText` (free text such as a client's error message).
 */

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]'

/** Matched against the key with separators and case removed (`sasl.oauthbearer.client.secret` → `…clientsecret`). */
const SECRET_WORDS = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'credential', 'apikey', 'accesskey', 'privatekey',
  'jaas', 'oauthbearer', 'basicauthuserinfo', 'authorization',
]

/**
 * Whether a setting's name looks secret. Takes a key (`sasl.password`, `apiKey`,
 * `KAFKA_SASL_JAAS_CONFIG`) or an option path (`config["ssl.key.pem"]`, `config.kafkaJS.sasl`):
 * case, camelCase and separators do not matter. Every `sasl*` setting counts, username and
 * mechanism included, and so does kafkajs' whole `sasl` object; so do `ssl.key*` (key, key
 * password, keystore) and `ssl.*pem*`.
 */
export function isSecretKey(key: string): boolean {
  const segments = key
    .replace(/([a-z0-9])([A-Z])/g, '$1.$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((segment) => segment !== '')
  const compact = segments.join('')
  // `user_<name>="<password>"`: how a broker's JAAS PlainLoginModule lists its users.
  return segments.some((segment) => segment.startsWith('sasl')) || /^\s*["']?user_/i.test(key)
    || /ssl(key|pfx)|ssl.*pem/.test(compact)
    || SECRET_WORDS.some((word) => compact.includes(word))
}

/**
 * Values of secret settings that are public constants (SASL mechanism names, protocol and
 * boolean words): scrubbing them out of every message would hide what went wrong and protect nothing.
 */
const PUBLIC_VALUES = new Set([
  'plain', 'scram-sha-256', 'scram-sha-512', 'gssapi', 'oauthbearer', 'aws', 'oidc', 'default', 'none',
  'true', 'false', 'plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl', 'https', 'http',
])
/** Shorter secret strings are not searched for in free text: they would match everywhere. */
const MIN_SCRUB_LENGTH = 3

/** A quoted value, a bracketed one, an HTTP auth scheme and its credentials, or a bare word. */
const VALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\[[^\]\s]*\]|(?:Bearer|Basic)\s+[^\s"',;]+|[^\s"',;}\])]+)`
/**
 * `key=value`, `key: value`, `"key": "value"`, `key="value"` (properties, env, JSON, inspect, JAAS).
 * Never starting inside a word or a path (`/src/token-cache.js:12:5` in a stack is no setting).
 */
const KEY_VALUE = new RegExp(String.raw`(?<![\w/\\.]|[\w.]-)(["']?)([A-Za-z_][\w.\-]*)\1(\s*[=:]\s*)(${VALUE})`, 'g')
/** An unquoted JAAS config runs to its `;` (or the line's end): `sasl.jaas.config=… required user="u" password="p";`. */
const JAAS = new RegExp(String.raw`((?<![\w/\\.]|[\w.]-)[A-Za-z_][\w.\-]*jaas[\w.\-]*\s*[=:]\s*)(?!["'\s])[^;\n]*;?`, 'gi')
/** librdkafka: `Invalid value "x" for configuration property "sasl.mechanisms"`. */
const INVALID_VALUE = /(Invalid value\s+)("[^"]*"|'[^']*'|\S+)(\s+for (?:configuration )?property\s+["']?)([\w.\-]+)/gi
/** `scheme://user:password@host`. */
const URL_PASSWORD = /(\b[a-z][\w+.\-]*:\/\/[^\s/:@]*:)([^\s/@]+)@/gi
const BEARER = /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/g

function masked(value: string): string {
  const quote = value[0]
  return (quote === '"' || quote === "'") && value.length > 1 && value.endsWith(quote) ? `${quote}${REDACTED}${quote}` : REDACTED
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Free text (a client's error message, a log line, a stack) with secrets taken out: values of
 * secret-looking keys written as `key=value`, `key: value` or librdkafka's `Invalid value "v" for
 * configuration property "k"`, URL passwords, bearer tokens, and every occurrence of the known
 * `secrets` (case-insensitive; see `secretValues`).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text
  const scrub = secrets
    .filter((secret) => secret.length >= MIN_SCRUB_LENGTH && !PUBLIC_VALUES.has(secret.toLowerCase()))
    .sort((a, b) => b.length - a.length)
  if (scrub.length > 0) out = out.replace(new RegExp(scrub.map(escapeRegExp).join('|'), 'gi'), REDACTED)
  return out
    .replace(JAAS, `$1${REDACTED}`)
    .replace(KEY_VALUE, (match, quote: string, key: string, separator: string, value: string) =>
      isSecretKey(key) ? `${quote}${key}${quote}${separator}${masked(value)}` : match)
    .replace(INVALID_VALUE, (match, before: string, value: string, middle: string, key: string) =>
      isSecretKey(key) ? `${before}${masked(value)}${middle}${key}` : match)
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(BEARER, `$1${REDACTED}`)
}

/** A container reachable from the value being redacted. */
interface Node {
  readonly value: object
  readonly entries: Entry[]
  /** Keys this node was reached under: `{ ssl: { key } }` makes `key` secret as `ssl.key`. */
  readonly parentKeys: Set<string>
  readonly parents: Set<Node>
  /** Holds something to redact itself, or a child beyond the size bound. */
  dirty: boolean
}

interface Entry {
  /** undefined for array elements, Set members and symbol-keyed properties. */
  readonly key: string | undefined
  readonly symbol?: symbol
  readonly value: unknown
  /** An accessor: never invoked, kept as is unless its key is secret. */
  readonly getter?: PropertyDescriptor
  /** Not enumerable (an error's message, stack and cause). */
  readonly hidden?: boolean
  /** For Map entries: the entry's key, itself redacted. */
  readonly mapKey?: unknown
  secret?: boolean
}

const MAX_NODES = 10_000
const TRUNCATED = '[truncated]'

type Kind = 'array' | 'map' | 'set' | 'error' | 'object'

/** Values kept as they are: no keys to redact (binary data, dates, functions, promises…). */
function kindOf(value: object): Kind | undefined {
  if (Array.isArray(value)) return 'array'
  if (value instanceof Map) return 'map'
  if (value instanceof Set) return 'set'
  if (value instanceof Error) return 'error'
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp
    || value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) return undefined
  return 'object'
}

const ERROR_FIELDS = ['message', 'stack', 'cause', 'errors'] as const

function entriesOf(value: object, kind: Kind): Entry[] {
  switch (kind) {
    case 'array':
      return (value as unknown[]).map((element) => ({ key: undefined, value: element }))
    case 'map':
      return [...(value as Map<unknown, unknown>)].map(([key, element]) => ({
        key: typeof key === 'string' ? key : undefined,
        mapKey: key,
        value: element,
      }))
    case 'set':
      return [...(value as Set<unknown>)].map((element) => ({ key: undefined, value: element }))
    default: {
      const entries: Entry[] = []
      if (kind === 'error') {
        for (const field of ERROR_FIELDS) {
          const own = Object.getOwnPropertyDescriptor(value, field)
          if (own !== undefined && !own.enumerable && 'value' in own) entries.push({ key: field, value: own.value, hidden: true })
          // message and stack may live on the prototype (an error built without a message).
          else if (own === undefined && (field === 'message' || field === 'stack')) {
            entries.push({ key: field, value: (value as Error)[field], hidden: true })
          }
        }
      }
      for (const key of Reflect.ownKeys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key)
        if (descriptor === undefined || !descriptor.enumerable) continue
        const getter = 'value' in descriptor ? undefined : descriptor
        const base = typeof key === 'string' ? { key } : { key: undefined, symbol: key }
        entries.push(getter === undefined ? { ...base, value: descriptor.value } : { ...base, value: undefined, getter })
      }
      return entries
    }
  }
}

/** Every object reachable from `root` (bounded), with the edges needed to propagate dirtiness. */
function collect(root: unknown): Map<object, Node> {
  const nodes = new Map<object, Node>()
  const queue: Array<{ value: unknown; parent: Node | undefined; key: string | undefined }> = [{ value: root, parent: undefined, key: undefined }]
  for (let index = 0; index < queue.length; index++) {
    const { value, parent, key } = queue[index]!
    if (typeof value !== 'object' || value === null) continue
    const kind = kindOf(value)
    if (kind === undefined) continue
    let node = nodes.get(value)
    if (node === undefined) {
      if (nodes.size >= MAX_NODES) {
        if (parent !== undefined) parent.dirty = true
        continue
      }
      let entries: Entry[]
      try {
        entries = entriesOf(value, kind)
      } catch {
        // A proxy or getter that throws: shown as truncated, never read further.
        if (parent !== undefined) parent.dirty = true
        continue
      }
      node = { value, entries, parentKeys: new Set(), parents: new Set(), dirty: false }
      nodes.set(value, node)
      for (const entry of node.entries) {
        queue.push({ value: entry.value, parent: node, key: entry.key })
        if (entry.mapKey !== undefined) queue.push({ value: entry.mapKey, parent: node, key: undefined })
      }
    }
    if (parent !== undefined) node.parents.add(parent)
    if (key !== undefined) node.parentKeys.add(key)
  }
  return nodes
}

function isSecretEntry(node: Node, key: string | undefined): boolean {
  if (key === undefined) return false
  if (isSecretKey(key)) return true
  for (const parentKey of node.parentKeys) if (isSecretKey(`${parentKey}.${key}`)) return true
  return false
}

/** Every string under a secret key, however deep (kafkajs' `sasl: { username, password }`). */
function stringsUnder(value: unknown, into: Set<string>, seen: Set<object>): void {
  if (typeof value === 'string') {
    if (value !== '') into.add(value)
    return
  }
  if (typeof value !== 'object' || value === null || seen.has(value) || seen.size >= MAX_NODES) return
  seen.add(value)
  const kind = kindOf(value)
  if (kind === undefined) return
  let entries: Entry[]
  try {
    entries = entriesOf(value, kind)
  } catch {
    return
  }
  for (const entry of entries) stringsUnder(entry.value, into, seen)
}

/** Marks secret entries and returns the strings they hold. */
function markSecrets(nodes: Map<object, Node>): Set<string> {
  const found = new Set<string>()
  const seen = new Set<object>()
  for (const node of nodes.values()) {
    for (const entry of node.entries) {
      if (!isSecretEntry(node, entry.key) || (entry.value === undefined && entry.getter === undefined)) continue
      entry.secret = true
      node.dirty = true
      stringsUnder(entry.value, found, seen)
    }
  }
  return found
}

/**
 * The strings held under secret-looking keys anywhere in `value` (a client config), for
 * `redactText` to scrub from the client's own messages.
 */
export function secretValues(value: unknown): string[] {
  return [...markSecrets(collect(value))]
}

/** Options of {@link redactSecrets}. */
export interface RedactOptions {
  /** Secret strings known from elsewhere (e.g. `secretValues(config)`), scrubbed from every string. */
  readonly secrets?: readonly string[]
}

/**
 * `value` with every secret replaced by `REDACTED`: values under secret-looking keys (plain objects,
 * class instances, arrays, Maps, Sets, errors, at any depth, cycles included), and secrets inside
 * strings (see `redactText`), including error messages, stacks and `cause` chains. What holds no
 * secret is returned as is (same reference); what does is copied, keeping prototypes so a copied
 * error is still `instanceof` its class and keeps its `code`. Accessors are never invoked.
 */
export function redactSecrets<T>(value: T, options: RedactOptions = {}): T {
  if (typeof value === 'string') return redactText(value, options.secrets) as T
  if (typeof value !== 'object' || value === null) return value
  const nodes = collect(value)
  const secrets = [...markSecrets(nodes), ...(options.secrets ?? [])]
  const dirty: Node[] = []
  for (const node of nodes.values()) {
    for (const { secret, value: item, mapKey } of node.entries) {
      for (const text of [secret ? undefined : item, mapKey]) {
        if (typeof text === 'string' && redactText(text, secrets) !== text) node.dirty = true
      }
    }
    if (node.dirty) dirty.push(node)
  }
  // Whatever can reach a dirty node is copied too, or the original would still lead to the secret.
  for (let node = dirty.pop(); node !== undefined; node = dirty.pop()) {
    for (const parent of node.parents) {
      if (!parent.dirty) {
        parent.dirty = true
        dirty.push(parent)
      }
    }
  }
  const copies = new Map<object, unknown>()
  const copy = (item: unknown): unknown => {
    if (typeof item === 'string') return redactText(item, secrets)
    if (typeof item !== 'object' || item === null || kindOf(item) === undefined) return item
    const node = nodes.get(item)
    if (node === undefined) return TRUNCATED
    if (!node.dirty) return item
    const done = copies.get(item)
    if (done !== undefined) return done
    return copyNode(node, copies, copy)
  }
  return copy(value) as T
}

function copyNode(node: Node, copies: Map<object, unknown>, copy: (item: unknown) => unknown): unknown {
  const { value, entries } = node
  const shown = (entry: Entry): unknown => (entry.secret ? REDACTED : copy(entry.value))
  if (Array.isArray(value)) {
    const out: unknown[] = []
    copies.set(value, out)
    for (const entry of entries) out.push(shown(entry))
    return out
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>()
    copies.set(value, out)
    for (const entry of entries) out.set(copy(entry.mapKey), shown(entry))
    return out
  }
  if (value instanceof Set) {
    const out = new Set<unknown>()
    copies.set(value, out)
    for (const entry of entries) out.add(copy(entry.value))
    return out
  }
  // A real Error (so inspection still shows it as one) with the original's prototype.
  const out: object = value instanceof Error ? new Error() : {}
  Object.setPrototypeOf(out, Object.getPrototypeOf(value) as object | null)
  copies.set(value, out)
  for (const entry of entries) {
    const key = entry.symbol ?? entry.key ?? ''
    if (entry.getter !== undefined && !entry.secret) Object.defineProperty(out, key, entry.getter)
    else Object.defineProperty(out, key, { value: shown(entry), writable: true, configurable: true, enumerable: !entry.hidden })
  }
  return out
}
