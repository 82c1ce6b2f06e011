export * from './kafka-client';
export * from './kafka-security';
export * from './kafka-connection-check';
export * from './unreadable-batches';
