// Test helpers for code built on @offsetkit/commit-core: `@offsetkit/commit-core/testing`.
// Kept out of the production entry so that a consumer's bundle never carries them.

export { FakeClock, flushMicrotasks } from './fake-clock.js'
export { deferred, FakeClientError, FakePort } from './fake-port.js'
export type { Deferred, PendingCommit } from './fake-port.js'
