import { WorkOrderSpine1732500000000 } from './1732500000000-work-order-spine';

/** Listed explicitly: bundling breaks glob patterns, and the order is part of the review. */
export const MIGRATIONS = [WorkOrderSpine1732500000000];
