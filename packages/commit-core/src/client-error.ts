import { OffsetkitError } from './offsetkit-error.js'
import { redactSecrets, redactText } from './redact-secrets.js'

/** The `code` of a {@link ClientError}. */
export type ClientErrorCode =
  /** No broker answered (wrong address, nothing listening, network or TLS in the way). */
  | 'BROKER_UNREACHABLE'
  /** A subscribed topic does not exist (and the client was not asked to wait for auto-creation). */
  | 'TOPIC_NOT_FOUND'
  /** The client rejected its own configuration when it started. */
  | 'CLIENT_CONFIG'
  /** The broker refused the credentials (SASL, TLS client certificate). */
  | 'AUTHENTICATION'
  /** The broker refused access to a topic or the group (ACLs). */
  | 'AUTHORIZATION'
  /** Anything else the client failed with. */
  | 'CLIENT_FAILED'

const CHECK: Record<ClientErrorCode, string> = {
  BROKER_UNREACHABLE:
    'no broker answered: check the bootstrap servers (host:port), that a broker runs there and is reachable from here, and the security protocol it expects',
  TOPIC_NOT_FOUND:
    'create the topic first, check its name, or let the client create it (see the adapter README on auto-creation)',
  CLIENT_CONFIG: 'the client rejected its configuration: check the setting it names',
  AUTHENTICATION: 'the broker refused the credentials: check the SASL mechanism, username and password, or the TLS client certificate',
  AUTHORIZATION: 'the broker refused access: check the ACLs of this principal on the topics (Describe, Read) and the consumer group (Read)',
  CLIENT_FAILED: 'the client failed to start: see `cause` for what it said',
}

/** Extra inputs of a {@link ClientError}. */
export interface ClientErrorOptions {
  /** The client's own error; kept with secrets redacted. */
  readonly cause?: unknown
  /** The topics concerned (TOPIC_NOT_FOUND: the missing ones). */
  readonly topics?: readonly string[]
  /** Secret strings of the client's config (`secretValues(config)`), scrubbed from message and cause. */
  readonly secrets?: readonly string[]
  /** TOPIC_NOT_FOUND when the client does not say which topic: `topics` are the candidates. */
  readonly someOf?: boolean
}

function causeText(cause: unknown, secrets: readonly string[] | undefined): string | undefined {
  if (cause === undefined) return undefined
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : typeof cause === 'string' ? cause : undefined
  return text === undefined ? undefined : redactText(text, secrets)
}

/**
 * The client failed to start or to keep running: what `run()` rejects with instead of a raw client
 * error. `code` says what kind of failure, the message what to check, `cause` is the client's own
 * error (secrets redacted).
 */
export class ClientError extends OffsetkitError {
  /** What kind of failure; the message says what to check. */
  readonly code: ClientErrorCode
  /** The topics concerned, when the failure is about topics. */
  readonly topics: readonly string[] | undefined

  constructor(code: ClientErrorCode, options: ClientErrorOptions = {}) {
    const { topics, secrets } = options
    const names = (topics ?? []).map((t) => JSON.stringify(t)).join(', ')
    const subject = code !== 'TOPIC_NOT_FOUND' || topics === undefined || topics.length === 0
      ? ''
      : topics.length === 1
        ? `topic ${names} does not exist: `
        : options.someOf === true ? `one of the topics ${names} does not exist: ` : `topics ${names} do not exist: `
    const said = causeText(options.cause, secrets)
    super(`${subject}${CHECK[code]}${said === undefined ? '' : ` (the client said: ${said})`}`, {
      ...('cause' in options ? { cause: redactSecrets(options.cause, secrets === undefined ? {} : { secrets }) } : {}),
      retriable: code === 'BROKER_UNREACHABLE' || code === 'TOPIC_NOT_FOUND',
    })
    this.code = code
    this.topics = topics
  }
}

/**
 * The requested topics missing from `existing` (a metadata listing), as a TOPIC_NOT_FOUND error,
 * or undefined when all exist. Regex subscriptions (`^…`) are never reported missing.
 */
export function missingTopicsError(requested: readonly string[], existing: Iterable<string>): ClientError | undefined {
  const known = new Set(existing)
  const missing = requested.filter((topic) => !topic.startsWith('^') && !known.has(topic))
  return missing.length === 0 ? undefined : new ClientError('TOPIC_NOT_FOUND', { topics: missing })
}

/**
 * Rejects with TOPIC_NOT_FOUND unless every requested topic is in the client's metadata listing.
 * A topic created a moment ago may not be in every broker's metadata yet, so a missing one is
 * asked about again after `pause()` (the adapter's timer; core has none), `attempts` times in all.
 */
export async function checkTopicsExist(
  requested: readonly string[],
  listTopics: () => Promise<Iterable<string>>,
  pause: () => Promise<void>,
  attempts = 3,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const error = missingTopicsError(requested, await listTopics())
    if (error === undefined) return
    if (attempt >= attempts) throw error
    await pause()
  }
}
