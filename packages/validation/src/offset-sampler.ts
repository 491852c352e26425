import { setTimeout as sleep } from 'node:timers/promises'
import { RecordFileTail } from './record-files.js'
import type { ValidationAdmin } from './validation-admin.js'
import type { OffsetSample } from './verify-run.js'

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.catch(() => undefined),
    new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms) }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Reads the log-end and the group's committed offsets from the broker about once a second, and
 * the record files' progress, for the regression check and the timeline. A read that fails or
 * takes over 3 s (broker down or frozen) leaves a gap, never blocks the run.
 */
export class OffsetSampler {
  readonly samples: OffsetSample[] = []
  readonly tail: RecordFileTail
  private running = false
  private loop: Promise<void> | undefined

  constructor(
    private readonly admin: ValidationAdmin,
    private readonly group: string,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly recordFiles: () => string[],
    private readonly t0: number,
  ) {
    this.tail = new RecordFileTail(topic)
  }

  consumed(): number[] {
    this.tail.poll(this.recordFiles())
    return Array.from({ length: this.partitions }, (_, p) => this.tail.perPartition.get(p) ?? 0)
  }

  async sample(): Promise<OffsetSample> {
    const t = Date.now() - this.t0
    const [ends, committed] = await Promise.all([
      within(this.admin.endOffsets(this.topic, this.partitions), 3000),
      within(this.admin.committed(this.group, this.topic, this.partitions), 3000),
    ])
    const sample = { t, ends, committed, consumed: this.consumed() }
    this.samples.push(sample)
    return sample
  }

  start(): void {
    this.running = true
    this.loop = (async () => {
      while (this.running) {
        const started = Date.now()
        await this.sample()
        await sleep(Math.max(0, 1000 - (Date.now() - started)))
      }
    })()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }
}
