/**
 * The worker's housekeeping, on @nestjs/schedule: the calendar's coverage is checked when the
 * worker starts and every hour (its gauges stay current; the operator's warning is logged once a
 * day in the calendar's zone), and published outbox rows older than the retention are removed
 * every hour. Both are idempotent: replicas running them at once do no harm.
 */
import { TZDate } from '@date-fns/tz';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { format, subDays } from 'date-fns';
import { DATA_SOURCE, pruneOutbox } from '@hotline/persistence';
import {
  APP_CONFIG,
  CLOCK,
  HANDLING_RULES,
  IngestionMetrics,
  LOGGER,
  calendarDaysLeft,
  describeCalendarCoverage,
  officialCalendarDaysLeft,
  type AppConfig,
  type Clock,
  type HandlingRules,
  type Logger,
} from '@hotline/platform';
import type { DataSource } from 'typeorm';

/** The operator is warned this many days before the official data or the whole coverage ends. */
const WARN_WITHIN_DAYS = 60;

@Injectable()
export class MaintenanceJobs implements OnApplicationBootstrap {
  /** The calendar day (in the calendar's zone) of the last coverage warning. */
  private warnedOn: string | null = null;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(HANDLING_RULES) private readonly rules: HandlingRules,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: IngestionMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.checkCalendarCoverage();
  }

  /**
   * The calendar's year end is an operator's task: warn when the official data ends within 60
   * days (deadlines after it are provisional until the notice is imported) or the whole coverage,
   * provisional years included, does (deadlines after it cannot be computed); expose both.
   */
  @Cron(CronExpression.EVERY_HOUR, { name: 'calendar-coverage' })
  checkCalendarCoverage(): void {
    const { calendar } = this.rules;
    const now = this.clock();
    const daysLeft = calendarDaysLeft(calendar, now);
    const officialDaysLeft = officialCalendarDaysLeft(calendar, now);
    this.metrics.calendarDaysLeft.set(daysLeft);
    this.metrics.officialCalendarDaysLeft.set(officialDaysLeft);

    const today = format(new TZDate(now, this.config.timeZone), 'yyyy-MM-dd');
    if (this.warnedOn === today) return;
    const coverage = describeCalendarCoverage(calendar);
    if (daysLeft < 0) {
      this.logger.warn(
        { coverage },
        `today is outside the working calendar (${coverage}): working-day deadlines of new orders cannot be computed; import the holiday notice (npm run calendar:import)`,
      );
    } else if (daysLeft < WARN_WITHIN_DAYS) {
      this.logger.warn(
        { coverage, daysLeft },
        `the working calendar ends soon (${coverage}): import the holiday notice (npm run calendar:import)`,
      );
    } else if (officialDaysLeft < WARN_WITHIN_DAYS) {
      this.logger.warn(
        { coverage, officialDaysLeft },
        `${coverage}: deadlines on provisional days are marked so until the State Council notice is imported (npm run calendar:import)`,
      );
    } else {
      return;
    }
    this.warnedOn = today;
  }

  /** Published outbox rows are kept OUTBOX_RETENTION_DAYS for inspection, then removed. */
  @Cron(CronExpression.EVERY_HOUR, { name: 'outbox-retention' })
  async pruneOutbox(): Promise<void> {
    const before = subDays(this.clock(), this.config.supervision.outboxRetentionDays);
    try {
      await pruneOutbox(this.dataSource, before);
    } catch (error) {
      // The next hour tries again; nothing depends on the rows being gone.
      this.logger.warn({ err: error }, 'outbox retention failed');
    }
  }
}
