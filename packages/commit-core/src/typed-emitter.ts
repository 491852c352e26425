import type { Logger } from './logger.js'

/** An event listener: called with the event's payload. */
export type Listener<T> = (payload: T) => void

/**
 * Minimal typed event hub (core has no `node:events`). A throwing listener is logged and never
 * breaks the engine path that emitted.
 */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>()

  constructor(private readonly logger: Logger) {}

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(event, set)
    }
    set.add(listener as Listener<never>)
    return () => {
      set.delete(listener as Listener<never>)
      if (set.size === 0 && this.listeners.get(event) === set) this.listeners.delete(event)
    }
  }

  /** Lets hot paths skip building payloads nobody listens to. */
  has<K extends keyof Events>(event: K): boolean {
    return this.listeners.has(event)
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        ;(listener as Listener<Events[K]>)(payload)
      } catch (error) {
        this.logger.error('event listener threw', { event: String(event), error: String(error) })
      }
    }
  }
}
