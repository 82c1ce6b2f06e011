import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  computeDeadlines,
  formatExplanation,
  orderEvents,
  type DeadlineExplanation,
  type WorkOrderEvent,
} from '@hotline/core';
import {
  DATA_SOURCE,
  appendAuditLog,
  findWorkOrder,
  findWorkOrderEscalations,
  findWorkOrderEvents,
  listWorkOrders,
} from '@hotline/persistence';
import {
  APP_CONFIG,
  HANDLING_RULES,
  type AppConfig,
  type HandlingRules,
  type Principal,
} from '@hotline/platform';
import type { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { assertInScope, listUnitFilter, unitScopeOf } from '../auth/unit-scope';
import { ApiError } from '../errors/api-error';
import { toEscalationResponse } from '../escalations/escalation.response';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import {
  toWorkOrderEventResponse,
  toWorkOrderResponse,
  toWorkOrderSummaryResponse,
  withOffsets,
} from './work-order.response';
import { WorkOrderIdPipe } from './work-order-id.pipe';
import {
  workOrderListQuery,
  workOrderReadQuery,
  type WorkOrderListQuery,
  type WorkOrderReadQuery,
} from './work-orders.query';

/** Roles that may see a citizen's name and phone in full, and only when they ask (domain.md §6). */
const MAY_REVEAL_PERSONAL_DATA: ReadonlySet<Principal['role']> = new Set(['leader', 'supervisor']);

/** Work orders, scoped by the caller's token: a unit sees its own unit's only. */
@Controller('work-orders')
export class WorkOrdersController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(HANDLING_RULES) private readonly rules: HandlingRules,
  ) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(workOrderListQuery, 'query')) query: WorkOrderListQuery,
  ) {
    const { page, pageSize, overdue, status, unitId } = query;
    const result = await listWorkOrders(
      this.dataSource,
      {
        unitId: listUnitFilter(principal, unitId),
        status,
        overdue: overdue === undefined ? undefined : overdue === 'true',
        ...(principal.role === 'unit' && principal.unitId
          ? { escalationsOfUnit: principal.unitId }
          : {}),
      },
      { page, pageSize },
      new Date(),
    );
    return {
      items: result.items.map((o) => toWorkOrderSummaryResponse(o, this.config.timeZone)),
      page,
      pageSize,
      total: result.total,
      totalIsExact: result.totalIsExact,
    };
  }

  /**
   * One order with its escalations and deadline explanation. `?reveal=true` shows the citizen's
   * name and phone, and the personal numbers in the title, content and address, in full to a
   * leader or supervisor and writes an audit row first; a unit is refused, and without it everyone
   * gets them masked.
   */
  @Get(':id')
  async findOne(
    @CurrentPrincipal() principal: Principal,
    @Param('id', WorkOrderIdPipe) id: string,
    @Query(new ZodValidationPipe(workOrderReadQuery, 'query')) query: WorkOrderReadQuery,
  ) {
    const reveal = this.mayReveal(principal, query);
    const view = await findWorkOrder(this.dataSource, id);
    if (!view) throw new ApiError('not_found', `work order ${id} not found`);
    assertInScope(principal, view.unitId, `work order ${id}`);
    const escalations = await findWorkOrderEscalations(
      this.dataSource,
      id,
      unitScopeOf(principal) ?? undefined,
    );
    const events = orderEvents(await findWorkOrderEvents(this.dataSource, id));
    // Audited before it is shown: an unmasked read that cannot be recorded is not served.
    if (reveal) await this.auditReveal(principal, id);
    const open = escalations.filter((e) => e.status === 'open' || e.status === 'acknowledged');
    return {
      ...toWorkOrderResponse(view, reveal, this.config.timeZone, latestContent(events)),
      supervisionLevel: open.length ? Math.max(...open.map((e) => e.level)) : null,
      escalations: escalations.map((e) => toEscalationResponse(e, this.config.timeZone)),
      explanation: withOffsets(
        this.explain(events, view.profileId, view.profileVersion),
        this.config.timeZone,
      ),
    };
  }

  /**
   * The order's timeline: its logged events in the order the fold reads them (occurredAt, then
   * sequence), masked and revealed as `GET /work-orders/{id}` is.
   */
  @Get(':id/events')
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param('id', WorkOrderIdPipe) id: string,
    @Query(new ZodValidationPipe(workOrderReadQuery, 'query')) query: WorkOrderReadQuery,
  ) {
    const reveal = this.mayReveal(principal, query);
    const view = await findWorkOrder(this.dataSource, id);
    if (!view) throw new ApiError('not_found', `work order ${id} not found`);
    assertInScope(principal, view.unitId, `work order ${id}`);
    const events = orderEvents(await findWorkOrderEvents(this.dataSource, id));
    if (reveal) await this.auditReveal(principal, id);
    return {
      workOrderId: id,
      items: events.map((e) => toWorkOrderEventResponse(e, reveal, this.config.timeZone)),
    };
  }

  private mayReveal(principal: Principal, query: WorkOrderReadQuery): boolean {
    const reveal = query.reveal === 'true';
    if (reveal && !MAY_REVEAL_PERSONAL_DATA.has(principal.role)) {
      throw new ApiError('forbidden', `role ${principal.role} may not see personal data in full`);
    }
    return reveal;
  }

  private auditReveal(principal: Principal, workOrderId: string): Promise<void> {
    return appendAuditLog(this.dataSource, {
      subject: principal.subject,
      role: principal.role,
      action: 'reveal_personal_data',
      workOrderId,
    });
  }

  /**
   * The deadline explanation, recomputed from the event log under the profile version the order
   * was computed with (it is derivable, so the hot order row does not carry it).
   */
  private explain(
    events: readonly WorkOrderEvent[],
    profileId: string | null,
    profileVersion: string | null,
  ) {
    const { profile, calendar } = this.rules;
    if (profileId === null) return null;
    if (profileId !== profile.id || profileVersion !== profile.version) {
      return {
        unavailable: `profile ${profileId} v${profileVersion} is not the loaded one (${profile.id} v${profile.version})`,
      };
    }
    const deadlines = computeDeadlines(events, profile, calendar);
    const explainStage = (explanation: DeadlineExplanation | undefined) =>
      explanation ? { ...explanation, text: formatExplanation(explanation) } : null;
    return {
      accept: explainStage(deadlines.accept?.explanation),
      complete: explainStage(deadlines.complete?.explanation),
      returnRequest: explainStage(deadlines.returnRequest?.explanation),
      // The provisional days the deadlines rest on (the year's notice not imported yet), and the
      // stages the calendar could not compute, with the reason.
      provisional: deadlines.provisional,
      unavailable: deadlines.unavailable,
    };
  }
}

/** The content of the latest dispatch (a re-dispatch may restate it); null when none carried one. */
function latestContent(events: readonly WorkOrderEvent[]): string | null {
  let content: string | null = null;
  for (const event of events) {
    if (event.type === 'dispatched' && event.data.content !== undefined)
      content = event.data.content;
  }
  return content;
}
