/** A bad command line: one line on stderr, exit code 2, before anything connects. */
export class UsageError extends Error {
  override readonly name = 'UsageError'

  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message)
  }

  static invalid(flag: string, value: unknown, accepted: string): UsageError {
    return new UsageError(flag, `${flag}: ${JSON.stringify(value)} is not accepted; accepted: ${accepted}`)
  }
}
