import { describe, expect, it } from 'vitest'
import { readCommittedOffsets, readEndOffsets, type OffsetsAdmin } from '@offsetkit/broker'

const admin: OffsetsAdmin = {
  fetchTopicOffsets: async () => [{ partition: 0, high: '66' }, { partition: 1, high: '0' }],
  fetchOffsets: async ({ groupId }) => (groupId === 'none' ? [] : [{ partitions: [{ partition: 0, offset: '10' }, { partition: 1, offset: '-1' }] }]),
}

describe('reading offsets back from the broker', () => {
  it('end offsets per partition, as bigint', async () => {
    expect(await readEndOffsets(admin, 't')).toEqual(new Map([[0, 66n], [1, 0n]]))
  })

  it('committed offsets per partition; -1 (nothing committed) reads as undefined', async () => {
    expect(await readCommittedOffsets(admin, 'g', 't')).toEqual(new Map([[0, 10n], [1, undefined]]))
    expect(await readCommittedOffsets(admin, 'none', 't')).toEqual(new Map())
  })
})
