/**
 * Jest setup of the second Kafka release's project (jest.config.js): every helper, Java tool and
 * child process of the suite then talks to the second broker and uses that release's jars.
 */
const second = {
  KAFKA_VERSION: process.env.KAFKA_SECOND_VERSION,
  KAFKA_BROKERS: process.env.KAFKA_SECOND_BROKERS,
  KAFKA_PORT: process.env.KAFKA_SECOND_PORT,
  KAFKA_CONTROLLER_PORT: process.env.KAFKA_SECOND_CONTROLLER_PORT,
};
for (const [name, value] of Object.entries(second)) {
  if (!value) throw new Error(`second-kafka.setup: ${name} is not set (scripts/test.sh sets it)`);
  process.env[name] = value;
}
