/** One `\r`-rewritten line on a terminal; one plain line per step otherwise (CI logs). */
export class ProgressBar {
  private readonly started = Date.now()
  private readonly tty: boolean

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true
  }

  /** `done` steps finished; `label` says what just ran (or runs next). */
  update(done: number, label: string): void {
    const elapsed = (Date.now() - this.started) / 1000
    const eta = done === 0 ? '' : ` eta ${formatSeconds((elapsed / done) * (this.total - done))}`
    if (!this.tty) {
      this.stream.write(`[${done}/${this.total}] ${label} (${formatSeconds(elapsed)}${eta})\n`)
      return
    }
    const width = 24
    const filled = Math.round((done / this.total) * width)
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total} ${formatSeconds(elapsed)}${eta} ${label}`
    const columns = this.stream.columns ?? 100
    this.stream.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`)
  }

  finish(): void {
    if (this.tty) this.stream.write('\n')
  }
}

function formatSeconds(s: number): string {
  const m = Math.floor(s / 60)
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`
}
