import { redactSecrets, redactText } from './redact-secrets.js'

/** Structured logger; `context` values are plain data (offsets are rendered as strings). */
export interface Logger {
  /** Detail for debugging; the default console logger drops it. */
  debug(message: string, context?: Record<string, unknown>): void
  /** Lifecycle information. */
  info(message: string, context?: Record<string, unknown>): void
  /** Something needs attention but the consumer goes on (a stalled commit, a starved partition). */
  warn(message: string, context?: Record<string, unknown>): void
  /** Something failed (a stopped consumer, a crashed client). */
  error(message: string, context?: Record<string, unknown>): void
}

const ignore = (): void => {}

/** A logger that drops everything: `logger: noopLogger` silences offsetkit. */
export const noopLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }

/** A log level, least to most severe: what `consoleLogger(minimum)` accepts. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
type Level = LogLevel
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error']

/**
 * The consumer's default logger: warnings and errors to the console (stderr), so a stalled
 * commit, a starved or stopped partition or a crashed client is never silent. Pass
 * `logger: noopLogger` to silence it, or your own logger.
 */
export function consoleLogger(minimum: Level = 'warn'): Logger {
  const from = LEVELS.indexOf(minimum)
  const write = (level: Level) => (message: string, context?: Record<string, unknown>): void => {
    if (LEVELS.indexOf(level) < from) return
    const sink = level === 'debug' || level === 'info' ? globalThis.console.log : globalThis.console[level]
    // Lines quote client errors, which can quote the client's config: secrets are taken out.
    if (context === undefined) sink(`[offsetkit] ${level}: ${redactText(message)}`)
    else sink(`[offsetkit] ${level}: ${redactText(message)}`, redactSecrets(context))
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}

/**
 * `logger` with secrets taken out of every message and context: for log lines that carry a
 * client's own text (its errors and logs), which may quote the config it was given.
 */
export function redactingLogger(logger: Logger, secrets: readonly string[] = []): Logger {
  const options = { secrets }
  const wrap = (write: Logger['info']): Logger['info'] => (message, context) => {
    if (context === undefined) write(redactText(message, secrets))
    else write(redactText(message, secrets), redactSecrets(context, options))
  }
  return { debug: wrap(logger.debug.bind(logger)), info: wrap(logger.info.bind(logger)), warn: wrap(logger.warn.bind(logger)), error: wrap(logger.error.bind(logger)) }
}
