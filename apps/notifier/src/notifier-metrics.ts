import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the notifier, on their own registry. */
export class NotifierMetrics {
  readonly registry = new Registry();
  readonly messages = new Counter({
    name: 'hotline_notifier_messages_total',
    help: 'Escalation messages read, by outcome: planned (deliveries recorded), silent (a change nobody is told of), stale (older than NOTIFIER_MAX_CHANGE_AGE_HOURS), invalid',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly planned = new Counter({
    name: 'hotline_notifications_planned_total',
    help: 'Deliveries recorded (new keys only: a message read again adds none)',
    registers: [this.registry],
  });
  readonly superseded = new Counter({
    name: 'hotline_notifications_superseded_total',
    help: 'Level-1 notices cancelled while waiting for their digest (the escalation resolved or withdrawn first)',
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: 'hotline_notification_attempts_total',
    help: 'Attempts to deliver, by channel and outcome (sent, failed: tried again later, dead: given up)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly deliveries = new Gauge({
    name: 'hotline_notification_deliveries',
    help: 'Deliveries in the database by channel and status (pending, sent, failed, dead, superseded)',
    labelNames: ['channel', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'hotline_notification_request_seconds',
    help: 'Time a channel took to answer one message, by channel',
    labelNames: ['channel'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queued = new Gauge({
    name: 'hotline_notifications_rate_limited',
    help: 'Due deliveries left for a later round by the last one because their channel had spent its rate budget',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
