export * from './events/work-order-event';
export * from './work-orders/order-events';
export * from './work-orders/fold-work-order';
