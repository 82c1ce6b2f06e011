/**
 * What an end-to-end test of the worker starts from: a fresh database and fresh events,
 * dead-letter and escalations topics, the worker's environment naming them, and a SQL client on
 * the database. `dispose` removes all of it.
 */
import type { Kafka } from '@hotline/platform/kafka';
import { Client } from 'pg';
import { createFreshDatabase, type FreshDatabase } from './fresh-database';
import { createFreshTopics, deleteTopics, kafkaBrokers, testKafka } from './kafka-test';

/** Another broker than the test broker: a client of it and the worker settings that reach it. */
export interface KafkaTarget {
  kafka: Kafka;
  /** KAFKA_BROKERS and the security settings (KAFKA_TLS*, KAFKA_SASL*). */
  env: Record<string, string>;
}

export interface WorkerEnvironment {
  db: FreshDatabase;
  topics: { events: string; deadLetters: string; escalations: string };
  /** DATABASE_URL, KAFKA_BROKERS, the three topics and a consumer group of their own. */
  env: Record<string, string>;
  sql: Client;
  dispose(): Promise<void>;
}

export async function createWorkerEnvironment(
  name: string,
  partitions = 1,
  target: KafkaTarget = {
    kafka: testKafka('admin'),
    env: { KAFKA_BROKERS: kafkaBrokers().join(',') },
  },
): Promise<WorkerEnvironment> {
  const db = await createFreshDatabase(name.replace(/\W/g, '_'));
  const [events, deadLetters, escalations] = await createFreshTopics(
    [`${name}-events`, `${name}-dlq`, `${name}-escalations`],
    partitions,
    target.kafka,
  );
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const topics = { events: events!, deadLetters: deadLetters!, escalations: escalations! };
  return {
    db,
    topics,
    env: {
      DATABASE_URL: db.url,
      ...target.env,
      EVENTS_TOPIC: topics.events,
      DLQ_TOPIC: topics.deadLetters,
      ESCALATIONS_TOPIC: topics.escalations,
      KAFKA_GROUP_ID: `${topics.events}-worker`,
    },
    sql,
    async dispose() {
      await sql.end();
      await deleteTopics([topics.events, topics.deadLetters, topics.escalations], target.kafka);
      await db.drop();
    },
  };
}
