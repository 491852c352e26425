import { describe, expect, it } from 'vitest'
import { BatchSizer } from '../src/batch-sizer.js'

describe('BatchSizer', () => {
  it('starts small and doubles up to the maximum while full batches come back fast', () => {
    const sizer = new BatchSizer(500, 50)
    expect(sizer.size).toBe(32)
    for (let i = 0; i < 10; i++) sizer.returned(sizer.size, 2)
    expect(sizer.size).toBe(500)
  })

  it('shrinks a full batch that took longer than the target to what the traffic brings in that time', () => {
    const sizer = new BatchSizer(500, 50)
    for (let i = 0; i < 10; i++) sizer.returned(sizer.size, 2)
    // 500 records in 5 s = 100 records/s: 50 ms of that is 5 records.
    sizer.returned(500, 5000)
    expect(sizer.size).toBe(5)
    sizer.returned(5, 10_000)
    expect(sizer.size).toBe(1)
    sizer.returned(1, 10_000)
    expect(sizer.size).toBe(1)
  })

  it('leaves the size alone for a batch the timeout ended, and within the target band', () => {
    const sizer = new BatchSizer(500, 50)
    sizer.returned(3, 5000)
    expect(sizer.size).toBe(32)
    sizer.returned(32, 40)
    expect(sizer.size).toBe(32)
  })

  it('never asks for more than the configured maximum', () => {
    const sizer = new BatchSizer(8, 50)
    expect(sizer.size).toBe(8)
    sizer.returned(8, 1)
    expect(sizer.size).toBe(8)
  })
})
