/** The Chinese words the street uses; escalation kinds and levels come from the engine's core. */
export {
  ESCALATION_KINDS,
  ESCALATION_KIND_LABELS,
  ESCALATION_LEVEL_LABELS,
} from '../../../libs/core/src/supervision/escalation';

export const ORDER_STATUS_LABELS: Record<string, string> = {
  awaiting_dispatch: '待派单',
  dispatched: '待签收',
  in_progress: '办理中',
  replied: '已答复',
  closed: '已办结',
  returned: '已退回',
};

export const CATEGORY_LABELS: Record<string, string> = {
  consultation: '咨询',
  help: '求助',
  complaint: '投诉',
  report: '举报',
  suggestion: '建议',
  praise: '表扬',
};

export const URGENCY_LABELS: Record<string, string> = {
  life_safety: '危及生命财产安全',
  utility: '水电气热',
  urgent: '紧急',
  normal: '一般',
};

export const OUTCOME_LABELS: Record<string, string> = {
  pending: '进行中',
  on_time: '按时',
  late: '超时',
  not_applicable: '不适用',
};

export const EVENT_LABELS: Record<string, string> = {
  dispatched: '派单',
  accepted: '签收',
  return_requested: '申请退单',
  returned: '退单',
  return_rejected: '退单驳回',
  extension_requested: '申请延期',
  extension_approved: '延期批准',
  extension_rejected: '延期驳回',
  suspended: '挂起',
  resumed: '恢复',
  replied: '答复',
  reply_rejected: '审核退回',
  callback: '回访',
  reopened: '重办',
  verified: '核实',
  closed: '办结',
  excluded: '不计考核',
  flagged: '标记',
};

export const ESCALATION_STATUS_LABELS: Record<string, string> = {
  open: '待处理',
  acknowledged: '已签收',
  resolved: '已办结',
  withdrawn: '已撤回',
};

export const WITHDRAWAL_REASON_LABELS: Record<string, string> = {
  done_in_time: '事件日志表明已按时完成',
};

export const label = (labels: Record<string, string>, value: string | null | undefined) =>
  value === null || value === undefined ? '—' : (labels[value] ?? value);
