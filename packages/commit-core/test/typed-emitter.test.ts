import { describe, expect, it } from 'vitest'
import { TypedEmitter } from '../src/typed-emitter.js'
import { memoryLogger } from './harness.js'

interface Events {
  ping: { n: number }
  pong: string
}

describe('TypedEmitter', () => {
  it('delivers to every listener until it unsubscribes', () => {
    const emitter = new TypedEmitter<Events>(memoryLogger())
    const seen: string[] = []
    const off = emitter.on('ping', ({ n }) => void seen.push(`a${n}`))
    emitter.on('ping', ({ n }) => void seen.push(`b${n}`))
    emitter.emit('ping', { n: 1 })
    off()
    off()
    emitter.emit('ping', { n: 2 })
    emitter.emit('pong', 'nobody listens')
    expect(seen).toEqual(['a1', 'b1', 'b2'])
  })

  it('has() tells whether anyone listens, so hot paths can skip building payloads', () => {
    const emitter = new TypedEmitter<Events>(memoryLogger())
    expect(emitter.has('pong')).toBe(false)
    const off = emitter.on('pong', () => {})
    expect(emitter.has('pong')).toBe(true)
    off()
    expect(emitter.has('pong')).toBe(false)
  })

  it('an unsubscribe after the event was re-registered leaves the new registration alone', () => {
    const emitter = new TypedEmitter<Events>(memoryLogger())
    const off = emitter.on('pong', () => {})
    off()
    const seen: string[] = []
    emitter.on('pong', (s) => void seen.push(s))
    off()
    emitter.emit('pong', 'still here')
    expect(seen).toEqual(['still here'])
  })

  it('logs a throwing listener and still calls the others', () => {
    const logger = memoryLogger()
    const emitter = new TypedEmitter<Events>(logger)
    const seen: number[] = []
    emitter.on('ping', () => {
      throw new Error('listener bug')
    })
    emitter.on('ping', ({ n }) => void seen.push(n))
    emitter.emit('ping', { n: 7 })
    expect(seen).toEqual([7])
    expect(logger.lines).toEqual([{ level: 'error', message: 'event listener threw' }])
  })

  it('a listener added while emitting is not called for that event', () => {
    const emitter = new TypedEmitter<Events>(memoryLogger())
    const seen: string[] = []
    emitter.on('pong', () => {
      emitter.on('pong', () => void seen.push('late'))
      seen.push('first')
    })
    emitter.emit('pong', 'x')
    expect(seen).toEqual(['first'])
  })
})
