/** Structured logger; `context` values are plain data (offsets are rendered as strings). */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void
  info(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  error(message: string, context?: Record<string, unknown>): void
}

const ignore = (): void => {}

export const noopLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }
