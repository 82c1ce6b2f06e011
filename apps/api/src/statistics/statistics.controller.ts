import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { formatInstant, provisionalDaysWithin, type StatisticsFormula } from '@hotline/core';
import { DATA_SOURCE } from '@hotline/persistence';
import {
  closeMonth,
  monthReport,
  monthRestatements,
  periodReport,
  type ReportGrouping,
  type StatisticsReport,
} from '@hotline/persistence/statistics';
import {
  APP_CONFIG,
  HANDLING_RULES,
  type AppConfig,
  type HandlingRules,
  type Principal,
} from '@hotline/platform';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { listUnitFilter } from '../auth/unit-scope';
import { ApiError } from '../errors/api-error';
import { spanPipe } from '../validation/span-validation.pipe';
import {
  CSV_CONTENT_TYPE,
  XLSX_CONTENT_TYPE,
  attachment,
  monthlyCsv,
  monthlyXlsx,
} from './statistics-export';
import { STATISTICS_FORMULA } from './statistics-formula.provider';
import {
  exportQuery,
  monthField,
  monthlyQuery,
  summaryQuery,
  type ExportQuery,
  type MonthlyQuery,
  type SummaryQuery,
} from './statistics.query';
import { toRestatementResponse, toStatisticsResponse } from './statistics.response';

const monthPipe = spanPipe(monthField, 'month');
const monthlyQueryPipe = spanPipe(monthlyQuery, 'query');
const exportQueryPipe = spanPipe(exportQuery, 'query');
const summaryQueryPipe = spanPipe(summaryQuery, 'query');

/**
 * Statistics (domain.md §5, contract.md §3): a month's figures (frozen once closed, with the
 * restatements since), any range's live figures, CSV and XLSX exports, month close. A unit sees
 * only its own unit's figures (its row when grouped by unit; another unit's is 403); leaders and
 * supervisors see every unit and alone may close a month.
 */
@Controller('statistics')
export class StatisticsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STATISTICS_FORMULA) private readonly formula: StatisticsFormula,
    @Inject(HANDLING_RULES) private readonly rules: HandlingRules,
  ) {}

  /**
   * The zone periods are read in (where a day, a month and so the overdue instant begin): the
   * calendar's, in which the worker names the rollup's days and the escalations' `fired_on`.
   * TIME_ZONE only sets the offset instants are written with.
   */
  private get periodZone(): string {
    return this.rules.calendar.timeZone;
  }

  /**
   * The report as the API shows it, with the provisional calendar days it covers (deadlines on
   * them may move when the year's notice is imported); null when it rests on official days only.
   */
  private respond(report: StatisticsReport) {
    return {
      ...toStatisticsResponse(report, this.config.timeZone),
      provisionalCalendar: provisionalDaysWithin(
        this.rules.calendar.provisional,
        report.fromOn,
        report.toOn,
      ),
    };
  }

  @Get('monthly')
  async monthly(
    @CurrentPrincipal() principal: Principal,
    @Query(monthlyQueryPipe) query: MonthlyQuery,
  ) {
    const report = await this.month(principal, query.month, query.groupBy ?? null, query.unitId);
    return this.respond(report);
  }

  @Get('summary')
  async summary(
    @CurrentPrincipal() principal: Principal,
    @Query(summaryQueryPipe) query: SummaryQuery,
  ) {
    const report = await periodReport(
      this.dataSource,
      { fromOn: query.from, toOn: query.to },
      {
        groupBy: query.groupBy ?? null,
        unitId: listUnitFilter(principal, query.unitId) ?? null,
        formula: this.formula,
        timeZone: this.periodZone,
        now: new Date(),
      },
    );
    return this.respond(report);
  }

  @Get('monthly.csv')
  async monthlyCsv(
    @CurrentPrincipal() principal: Principal,
    @Query(exportQueryPipe) query: ExportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const report = await this.month(principal, query.month, 'unit', query.unitId);
    res.setHeader('Content-Type', CSV_CONTENT_TYPE);
    res.setHeader(
      'Content-Disposition',
      attachment(`statistics-${query.month}.csv`, `12345工单统计-${query.month}.csv`),
    );
    return new StreamableFile(monthlyCsv(report, this.config.timeZone));
  }

  @Get('monthly.xlsx')
  async monthlyXlsx(
    @CurrentPrincipal() principal: Principal,
    @Query(exportQueryPipe) query: ExportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const report = await this.month(principal, query.month, 'unit', query.unitId);
    const body = await monthlyXlsx(report, this.config.timeZone);
    res.setHeader('Content-Type', XLSX_CONTENT_TYPE);
    res.setHeader(
      'Content-Disposition',
      attachment(`statistics-${query.month}.xlsx`, `12345工单统计-${query.month}.xlsx`),
    );
    return new StreamableFile(body);
  }

  @Post('months/:month/close')
  @HttpCode(200)
  async close(@CurrentPrincipal() principal: Principal, @Param('month', monthPipe) month: string) {
    if (principal.role === 'unit') {
      throw new ApiError('forbidden', 'closing a month is for supervisors and leaders');
    }
    const result = await closeMonth(this.dataSource, {
      month,
      closedBy: principal.subject,
      now: new Date(),
      formula: this.formula,
      timeZone: this.periodZone,
      supervision: {
        eventsTopic: this.config.kafka.topics.events,
        watermark: this.config.supervision.watermark,
      },
    });
    if (!result.ok) {
      const zone = this.config.timeZone;
      throw new ApiError(
        'conflict',
        result.reason === 'already_closed'
          ? `month ${month} was already closed at ${formatInstant(result.closedAt, zone)} by ${result.closedBy}`
          : result.reason === 'supervision_behind'
            ? `supervision has not yet judged everything due before ${formatInstant(result.endsAt, zone)}; close the month once the worker has caught up`
            : `month ${month} is not over until ${formatInstant(result.endsAt, zone)}`,
      );
    }
    const report = await this.month(principal, month, 'unit', undefined);
    return this.respond(report);
  }

  @Get('months/:month/restatements')
  async restatements(
    @CurrentPrincipal() principal: Principal,
    @Param('month', monthPipe) month: string,
  ) {
    const found = await monthRestatements(
      this.dataSource,
      month,
      listUnitFilter(principal, undefined) ?? null,
    );
    if (found === null) throw new ApiError('not_found', `month ${month} is not closed`);
    const zone = this.config.timeZone;
    return {
      month,
      closedAt: formatInstant(found.closed.closedAt, zone),
      closedBy: found.closed.closedBy,
      items: found.restatements.map((r) => toRestatementResponse(r, zone)),
    };
  }

  private month(
    principal: Principal,
    month: string,
    groupBy: ReportGrouping | null,
    unitId: string | undefined,
  ) {
    return monthReport(this.dataSource, month, {
      groupBy,
      unitId: listUnitFilter(principal, unitId) ?? null,
      formula: this.formula,
      timeZone: this.periodZone,
      now: new Date(),
    });
  }
}
