import { describe, expect, it } from 'vitest'
import { javaWindow, parseProgressLines } from '../src/java-consumer-perf.js'

// What ConsumerPerformance 4.1 prints with --show-detailed-stats and our ISO --date-format.
const STDOUT = [
  'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
  '2026-12-02T10:00:00.000Z, 0, 0.1907, 0.0000, 1000, 0.0000, 3012, -2990, 0.0000, 0.0000',
  '2026-12-02T10:00:00.010Z, 0, 1.0000, 80.9000, 5000, 400000.0000, 0, 10, 80.9000, 400000.0000',
  '2026-12-02T10:00:00.020Z, 0, 2.0000, 100.0000, 9000, 400000.0000, 0, 10, 100.0000, 400000.0000',
  '2026-12-02T12:00:00.520+02:00, 0, 11.0000, 18.0000, 54000, 90000.0000, 0, 500, 18.0000, 90000.0000',
  'WARNING: something else',
  '',
].join('\n')

describe('ConsumerPerformance output', () => {
  it('parses the detailed progress lines, skipping the header and anything else', () => {
    const lines = parseProgressLines(STDOUT)
    expect(lines).toHaveLength(4)
    expect(lines[1]).toEqual({ timeMs: Date.parse('2026-12-02T10:00:00.010Z'), mb: 1, messages: 5000 })
    expect(lines[3]?.timeMs).toBe(Date.parse('2026-12-02T10:00:00.520Z'))
  })

  it('times from the first line at or past the warm-up to the last line', () => {
    const window = javaWindow(parseProgressLines(STDOUT), 5000)
    expect(window).toEqual({ records: 49_000, seconds: 0.51, recordsPerSec: 49_000 / 0.51, mbPerSec: 10 / 0.51 })
  })

  it('names what is missing when the lines do not span a window', () => {
    expect(javaWindow(parseProgressLines(STDOUT), 60_000)).toMatch(/too few progress lines past the warm-up \(4 lines; last at 54000 records\)/)
    expect(javaWindow([], 10)).toMatch(/too few progress lines/)
  })
})
