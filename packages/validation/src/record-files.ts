import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'

/** partition → offset → how many times it was processed (across every consumer and restart). */
export type Processed = Map<number, Map<number, number>>

/** Parses `topic partition offset` lines; lines of other topics and torn last lines are ignored. */
export function addRecordLines(processed: Processed, text: string, topic: string): void {
  for (const line of text.split('\n')) {
    const [t, p, o, extra] = line.split(' ')
    if (t !== topic || p === undefined || o === undefined || extra !== undefined || !/^\d+$/.test(p) || !/^\d+$/.test(o)) continue
    const partition = Number(p)
    let offsets = processed.get(partition)
    if (offsets === undefined) processed.set(partition, (offsets = new Map()))
    const offset = Number(o)
    offsets.set(offset, (offsets.get(offset) ?? 0) + 1)
  }
}

export function readRecordFiles(files: readonly string[], topic: string): Processed {
  const processed: Processed = new Map()
  for (const file of files) if (existsSync(file)) addRecordLines(processed, readFileSync(file, 'utf8'), topic)
  return processed
}

/**
 * Follows growing record files and counts processed lines per partition, for the timeline and the
 * progress checks. Reads only what was appended since the last call.
 */
export class RecordFileTail {
  private readonly positions = new Map<string, { bytes: number; partial: string }>()
  readonly perPartition = new Map<number, number>()
  total = 0

  constructor(private readonly topic: string) {}

  poll(files: readonly string[]): void {
    for (const file of files) {
      if (!existsSync(file)) continue
      const position = this.positions.get(file) ?? { bytes: 0, partial: '' }
      const size = statSync(file).size
      if (size <= position.bytes) continue
      const buffer = Buffer.alloc(size - position.bytes)
      const fd = openSync(file, 'r')
      try {
        readSync(fd, buffer, 0, buffer.length, position.bytes)
      } finally {
        closeSync(fd)
      }
      const lines = (position.partial + buffer.toString('utf8')).split('\n')
      position.partial = lines.pop() ?? ''
      position.bytes = size
      this.positions.set(file, position)
      for (const line of lines) {
        const [t, p] = line.split(' ')
        if (t !== this.topic || p === undefined) continue
        this.perPartition.set(Number(p), (this.perPartition.get(Number(p)) ?? 0) + 1)
        this.total++
      }
    }
  }
}
