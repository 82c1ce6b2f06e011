import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { computeDeadlines, formatExplanation, type DeadlineExplanation } from '@hotline/core';
import { DATA_SOURCE, findWorkOrder, findWorkOrderEvents } from '@hotline/persistence';
import { APP_CONFIG, HANDLING_RULES, type AppConfig, type HandlingRules } from '@hotline/platform';
import type { DataSource } from 'typeorm';
import { toWorkOrderResponse, withOffsets } from './work-order.response';
import { WorkOrderIdPipe } from './work-order-id.pipe';

/** Supervisors' reads of work orders; the authorization guard slots in here (contract.md §3). */
@Controller('work-orders')
export class WorkOrdersController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(HANDLING_RULES) private readonly rules: HandlingRules,
  ) {}

  @Get(':id')
  async findOne(@Param('id', WorkOrderIdPipe) id: string) {
    const view = await findWorkOrder(this.dataSource, id);
    if (!view) throw new NotFoundException(`work order ${id} not found`);
    return {
      ...toWorkOrderResponse(view, false, this.config.timeZone),
      explanation: withOffsets(
        await this.explain(view.workOrderId, view.profileId, view.profileVersion),
        this.config.timeZone,
      ),
    };
  }

  /**
   * The deadline explanation, recomputed from the event log under the profile version the order
   * was computed with (it is derivable, so the hot order row does not carry it).
   */
  private async explain(
    workOrderId: string,
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
    const deadlines = computeDeadlines(
      await findWorkOrderEvents(this.dataSource, workOrderId),
      profile,
      calendar,
    );
    const explainStage = (explanation: DeadlineExplanation | undefined) =>
      explanation ? { ...explanation, text: formatExplanation(explanation) } : null;
    return {
      accept: explainStage(deadlines.accept?.explanation),
      complete: explainStage(deadlines.complete?.explanation),
      returnRequest: explainStage(deadlines.returnRequest?.explanation),
    };
  }
}
