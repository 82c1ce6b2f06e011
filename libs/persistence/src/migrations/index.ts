import { WorkOrderSpine1732500000000 } from './1732500000000-work-order-spine';
import { Supervision1732600000000 } from './1732600000000-supervision';
import { Statistics1732700000000 } from './1732700000000-statistics';
import { ReadIndexes1732800000000 } from './1732800000000-read-indexes';
import { WatermarkEvidence1732900000000 } from './1732900000000-watermark-evidence';
import { EscalationWithdrawal1733000000000 } from './1733000000000-escalation-withdrawal';
import { CalendarDependentOrders1733100000000 } from './1733100000000-calendar-dependent-orders';
import { DeadLetters1733200000000 } from './1733200000000-dead-letters';
import { NotificationDeliveries1733400000000 } from './1733400000000-notification-deliveries';
import { EventRawDigest1733500000000 } from './1733500000000-event-raw-digest';
import { StatisticsMonthly1733700000000 } from './1733700000000-statistics-monthly';
import { OverdueIndexes1733800000000 } from './1733800000000-overdue-indexes';
import { EscalationCounts1733900000000 } from './1733900000000-escalation-counts';
import { OverduePendingCounts1734000000000 } from './1734000000000-overdue-pending-counts';
import { DropEscalationsOrderIndex1734050000000 } from './1734050000000-drop-escalations-order-index';
import { WorkOrderDue1734100000000 } from './1734100000000-work-order-due';
import { DropEscalationKeyUnique1734150000000 } from './1734150000000-drop-escalation-key-unique';
import { OutboxPayloadJson1734200000000 } from './1734200000000-outbox-payload-json';
import { HeldEvents1734300000000 } from './1734300000000-held-events';

/** Listed explicitly: bundling breaks glob patterns, and the order is part of the review. */
export const MIGRATIONS = [
  WorkOrderSpine1732500000000,
  Supervision1732600000000,
  Statistics1732700000000,
  ReadIndexes1732800000000,
  WatermarkEvidence1732900000000,
  EscalationWithdrawal1733000000000,
  CalendarDependentOrders1733100000000,
  DeadLetters1733200000000,
  NotificationDeliveries1733400000000,
  EventRawDigest1733500000000,
  StatisticsMonthly1733700000000,
  OverdueIndexes1733800000000,
  EscalationCounts1733900000000,
  OverduePendingCounts1734000000000,
  DropEscalationsOrderIndex1734050000000,
  WorkOrderDue1734100000000,
  DropEscalationKeyUnique1734150000000,
  OutboxPayloadJson1734200000000,
  HeldEvents1734300000000,
];
