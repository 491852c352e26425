// The root entry exported the test helpers before `@offsetkit/commit-core/testing` existed. They
// stay for a while as aliases carrying the deprecation (a JSDoc tag on a re-export does not
// survive the bundled .d.ts; one on a declaration does).
import { FakeClock as TestingFakeClock, flushMicrotasks as testingFlushMicrotasks } from './testing/fake-clock.js'

/** @deprecated import from '@offsetkit/commit-core/testing' */
export const FakeClock = TestingFakeClock
/** @deprecated import from '@offsetkit/commit-core/testing' */
export type FakeClock = TestingFakeClock
/** @deprecated import from '@offsetkit/commit-core/testing' */
export const flushMicrotasks = testingFlushMicrotasks
