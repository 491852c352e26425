import { describe, expect, it } from 'vitest'
import { queryRdkafkaLogOffsets, type RdkafkaOffsetQueries } from '../src/index.js'

// The real path runs against the broker in packages/node-rdkafka/test/query-log-offsets.int.test.ts;
// this covers what a healthy broker cannot show: the group coordinator not answering.
const client = (committed: 'ok' | 'waiting for coordinator'): RdkafkaOffsetQueries => ({
  queryWatermarkOffsets: (_topic, partition, _timeout, cb) => cb(null, { lowOffset: 0, highOffset: 10 + partition }),
  committed: (partitions, _timeout, cb) => (committed === 'ok'
    ? cb(null, partitions.map((p) => ({ ...p, offset: 4 })))
    : cb(new Error('Local: Waiting for coordinator'), [])),
})

describe('queryRdkafkaLogOffsets', () => {
  const partitions = [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]

  it('returns each log end and the committed offset as the start', async () => {
    expect(await queryRdkafkaLogOffsets(client('ok'), partitions, 'earliest')).toEqual([
      { topic: 't', partition: 0, end: 10n, start: 4n },
      { topic: 't', partition: 1, end: 11n, start: 4n },
    ])
  })

  // A consumer stuck waiting for its coordinator is exactly one the starvation check must see:
  // the log ends (from each partition's leader) still come back.
  it('still returns the log ends, without a start, when the group coordinator does not answer', async () => {
    expect(await queryRdkafkaLogOffsets(client('waiting for coordinator'), partitions, 'earliest')).toEqual([
      { topic: 't', partition: 0, end: 10n },
      { topic: 't', partition: 1, end: 11n },
    ])
  })
})
