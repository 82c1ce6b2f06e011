export * from './delivery';
export * from './fresh-database';
export * from './kafka-test';
export * from './publish-in-batches';
export * from './tcp-proxy';
export * from './work-order-events.builder';
export * from './worker-process';
export * from './worker-environment';
