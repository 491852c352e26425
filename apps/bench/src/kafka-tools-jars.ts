// Apache Kafka's kafka-tools jar (ConsumerPerformance) and its runtime dependencies, resolved from
// Maven Central and cached next to the broker's jars by @offsetkit/broker's resolver. The broker's
// own jar set has kafka-tools-api but not kafka-tools.
import { ensureMavenJars } from '@offsetkit/broker'

/** The folder holding kafka-tools `version` and its runtime jars, resolved once and cached. */
export function ensureKafkaToolsJars(version: string): Promise<string> {
  return ensureMavenJars({
    name: `kafka-tools-${version}`,
    artifacts: [{ groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version }],
    holds: (file) => file.startsWith('kafka-tools-') && !file.startsWith('kafka-tools-api'),
  })
}
