/**
 * The local Kafka release the tests run against (scripts/kafka.sh, KAFKA_VERSION): where its jars
 * are, and the names its command-line tools have there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const KAFKA_SH = resolve(__dirname, '..', '..', '..', 'scripts', 'kafka.sh');

/** Tools that Kafka 4 moved from the broker's Scala package to its Java tools package. */
type MovedTool = 'ConsoleProducer' | 'DumpLogSegments';

export interface LocalKafka {
  version: string;
  /** The folder of the release's jars: Java programs run with `-cp <lib>/*`. */
  lib: string;
  /** The JVM option that points the release's logging (reload4j or log4j2) at the project's file. */
  loggingOption: string;
  /** The main class of a command-line tool in this release. */
  tool(name: MovedTool): string;
  /**
   * The console tools' option for a reader (producer) or formatter (consumer) property: Kafka 4
   * deprecates `--property`, and its console consumer prints the warning among the records.
   */
  propertyOption(tool: 'producer' | 'consumer'): string;
}

let cached: LocalKafka | undefined;

/** Asks scripts/kafka.sh (the one place that knows the default release and its folders). */
export function localKafka(): LocalKafka {
  if (cached) return cached;
  const ask = (command: string) =>
    execFileSync('bash', [KAFKA_SH, command], { encoding: 'utf8' }).trim();
  const version = ask('version');
  const lib = ask('lib');
  const loggingOption = ask('logging-option');
  if (!existsSync(join(lib, '.complete'))) {
    throw new Error(
      `Kafka ${version}'s jars are not in ${lib}: run \`bash scripts/kafka.sh fetch\``,
    );
  }
  const major = Number(version.split('.')[0]);
  cached = {
    version,
    lib,
    loggingOption,
    tool: (name) => (major >= 4 ? `org.apache.kafka.tools.${name}` : `kafka.tools.${name}`),
    propertyOption: (tool) =>
      major < 4 ? '--property' : tool === 'producer' ? '--reader-property' : '--formatter-property',
  };
  return cached;
}
