/**
 * How many records the next `consume(n)` asks for. node-rdkafka's consume(n) returns only when n
 * records arrived or when none came for the consume timeout: under steady, moderate traffic a
 * large n makes the FIRST record of a batch wait for the last (500 records at 100 records/s: 5 s
 * before the handler sees anything, and a batch spanning rebalances). So n follows the traffic:
 * a full batch should take about `targetMs`; below that n doubles (up to `max`), above it n
 * shrinks to what the traffic delivers in `targetMs`. A batch ended by the timeout says nothing
 * about the rate and leaves n alone. At full speed batches fill in a few ms and n stays at `max`.
 */
export class BatchSizer {
  private current: number

  constructor(
    private readonly max: number,
    private readonly targetMs = 50,
  ) {
    this.current = Math.min(max, 32)
  }

  get size(): number {
    return this.current
  }

  /** `count` records came back after `elapsedMs`. */
  returned(count: number, elapsedMs: number): void {
    if (count < this.current) return
    if (elapsedMs > this.targetMs) {
      this.current = Math.max(1, Math.floor((this.current * this.targetMs) / elapsedMs))
    } else if (elapsedMs < this.targetMs / 2) {
      this.current = Math.min(this.max, this.current * 2)
    }
  }
}
