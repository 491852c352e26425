// Public API of @offsetkit/opentelemetry. Hand-written on purpose: everything here is a promise.
export { DEFAULT_METER_NAME, instrumentOffsetkit } from './instrument-offsetkit.js'
export type { InstrumentOffsetkitOptions, OffsetkitInstrumentation, OffsetkitMetricsSource } from './instrument-offsetkit.js'
export { OFFSETKIT_ATTRIBUTES, OFFSETKIT_METRICS } from './offsetkit-metric-names.js'
