export * from './data-source';
export * from './transaction';
export * from './migrations';
export * from './work-orders/work-order-store';
export * from './persistence.module';
