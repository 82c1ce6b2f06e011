export * from './ingestion-metrics';
