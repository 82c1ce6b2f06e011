import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { formatInstant } from '@hotline/core';
import {
  DATA_SOURCE,
  acknowledgeEscalation,
  findEscalation,
  listDeliveries,
  listEscalations,
  resolveEscalation,
  type EscalationCommandResult,
} from '@hotline/persistence';
import { APP_CONFIG, type AppConfig, type Principal } from '@hotline/platform';
import type { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { assertInScope, listUnitFilter, unitScopeOf } from '../auth/unit-scope';
import { ApiError } from '../errors/api-error';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import {
  acknowledgeBody,
  resolveBody,
  type AcknowledgeBody,
  type ResolveBody,
} from './escalation-command.body';
import { toDeliveryResponse } from '../deliveries/delivery.response';
import { toEscalationResponse } from './escalation.response';
import {
  escalationIdParam,
  escalationListQuery,
  type EscalationListQuery,
} from './escalations.query';

const idPipe = new ZodValidationPipe(escalationIdParam, 'escalation id');

/**
 * Escalations (督办): lists, one, and the two human commands. Leaders and supervisors act on every
 * unit's; a unit may read and acknowledge (签收) its own; resolving (督办结果) is for leaders and
 * supervisors only.
 */
@Controller('escalations')
export class EscalationsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(escalationListQuery, 'query')) query: EscalationListQuery,
  ) {
    const { page, pageSize, ...filter } = query;
    const result = await listEscalations(
      this.dataSource,
      { ...filter, unitId: listUnitFilter(principal, filter.unitId) },
      { page, pageSize },
    );
    return {
      items: result.items.map((e) => toEscalationResponse(e, this.config.timeZone)),
      page,
      pageSize,
      total: result.total,
      totalIsExact: result.totalIsExact,
    };
  }

  @Get(':id')
  async findOne(@CurrentPrincipal() principal: Principal, @Param('id', idPipe) id: string) {
    const view = await findEscalation(this.dataSource, id);
    if (!view) throw new ApiError('not_found', `escalation ${id} not found`);
    assertInScope(principal, view.unitId, `escalation ${id}`);
    // Who was told, through which channel, and how it went (apps/notifier); newest first.
    const deliveries = await listDeliveries(
      this.dataSource,
      { escalationId: id },
      { page: 1, pageSize: 200 },
    );
    return {
      ...toEscalationResponse(view, this.config.timeZone),
      deliveries: deliveries.items.map((d) => toDeliveryResponse(d, this.config.timeZone)),
    };
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  async acknowledge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', idPipe) id: string,
    @Body(new ZodValidationPipe(acknowledgeBody, 'body')) body: AcknowledgeBody,
  ) {
    const result = await acknowledgeEscalation(this.dataSource, {
      ...this.commandOf(principal, id),
      note: body.note ?? null,
    });
    return this.outcome(id, result);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('id', idPipe) id: string,
    @Body(new ZodValidationPipe(resolveBody, 'body')) body: ResolveBody,
  ) {
    if (principal.role === 'unit') {
      throw new ApiError('forbidden', 'resolving an escalation is for supervisors and leaders');
    }
    const result = await resolveEscalation(this.dataSource, {
      ...this.commandOf(principal, id),
      note: body.note,
    });
    return this.outcome(id, result);
  }

  private commandOf(principal: Principal, escalationId: string) {
    return {
      escalationId,
      actor: { subject: principal.subject, role: principal.role },
      unitScope: unitScopeOf(principal),
      at: new Date(),
      topic: this.config.kafka.topics.escalations,
      timeZone: this.config.timeZone,
    };
  }

  private outcome(id: string, result: EscalationCommandResult) {
    if (result.ok) return toEscalationResponse(result.escalation, this.config.timeZone);
    const when = (at: Date | null, by: string | null) =>
      `${at ? ` at ${formatInstant(at, this.config.timeZone)}` : ''}${by ? ` by ${by}` : ''}`;
    switch (result.reason) {
      case 'not_found':
        throw new ApiError('not_found', `escalation ${id} not found`);
      case 'out_of_scope':
        throw new ApiError('forbidden', `escalation ${id} belongs to another unit`);
      case 'already_acknowledged':
        throw new ApiError(
          'conflict',
          `escalation ${id} was already acknowledged${when(result.at, result.by)}`,
        );
      case 'already_resolved':
        throw new ApiError(
          'conflict',
          `escalation ${id} is already resolved${when(result.at, result.by)}`,
        );
      case 'withdrawn':
        throw new ApiError(
          'conflict',
          `escalation ${id} was withdrawn${when(result.at, null)}: the event log proved its premise false`,
        );
    }
  }
}
