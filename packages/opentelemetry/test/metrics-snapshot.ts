// Reads what an SDK MeterProvider holds, the way an exporter would, without any timer.
import type { Attributes } from '@opentelemetry/api'
import { DataPointType, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics'

/** A pull reader: the test says when to collect. */
export class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

export function meterProviderWithReader(): { provider: MeterProvider; reader: CollectingReader } {
  const reader = new CollectingReader()
  return { provider: new MeterProvider({ readers: [reader] }), reader }
}

const matches = (point: Attributes, wanted: Attributes): boolean => Object.entries(wanted).every(([k, v]) => point[k] === v)

/** One collection's metrics, with lookups by name and attribute subset. */
export class MetricsSnapshot {
  constructor(readonly metrics: readonly MetricData[]) {}

  metric(name: string): MetricData | undefined {
    return this.metrics.find((m) => m.descriptor.name === name)
  }

  /** The attributes of every point of every metric. */
  allAttributes(): Attributes[] {
    return this.metrics.flatMap((m) => (m.dataPoints as ReadonlyArray<{ readonly attributes: Attributes }>).map((p) => p.attributes))
  }

  /** Points of a sum or gauge whose attributes include `wanted`. */
  points(name: string, wanted: Attributes = {}): DataPoint<number>[] {
    const m = this.metric(name)
    if (m === undefined) return []
    if (m.dataPointType !== DataPointType.SUM && m.dataPointType !== DataPointType.GAUGE) throw new Error(`${name} is not a sum or gauge`)
    return m.dataPoints.filter((p) => matches(p.attributes, wanted))
  }

  /** The sum of matching points' values (a gauge with one matching point: its value). */
  value(name: string, wanted: Attributes = {}): number {
    return this.points(name, wanted).reduce((sum, p) => sum + p.value, 0)
  }

  /** Points of a histogram whose attributes include `wanted`. */
  histogram(name: string, wanted: Attributes = {}): DataPoint<Histogram>[] {
    const m = this.metric(name)
    if (m === undefined) return []
    if (m.dataPointType !== DataPointType.HISTOGRAM) throw new Error(`${name} is not a histogram`)
    return m.dataPoints.filter((p) => matches(p.attributes, wanted))
  }
}

export async function collect(reader: MetricReader): Promise<MetricsSnapshot> {
  const { resourceMetrics, errors } = await reader.collect()
  if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed')
  return new MetricsSnapshot(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics))
}
