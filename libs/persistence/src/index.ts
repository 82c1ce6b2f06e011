export * from './data-source';
export * from './transaction';
export * from './migrations';
export * from './work-orders/work-order-store';
export * from './persistence.module';
export * from './work-orders/work-order.entities';
export * from './work-orders/naive-ingest.baseline';
