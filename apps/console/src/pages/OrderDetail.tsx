import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import {
  getJson,
  query,
  type Delivery,
  type Escalation,
  type TimelineEvent,
  type WorkOrder,
} from '../api';
import { Refused } from '../App';
import { ScrollRegion } from '../scroll-region';
import { shortInstant } from '../format';
import {
  CATEGORY_LABELS,
  ESCALATION_KIND_LABELS,
  ESCALATION_STATUS_LABELS,
  EVENT_LABELS,
  ORDER_STATUS_LABELS,
  OUTCOME_LABELS,
  URGENCY_LABELS,
  label,
} from '../labels';
import { mayReveal, type Principal } from '../session';

const DELIVERY_STATUS_LABELS: Record<string, string> = {
  pending: '待发送',
  sent: '已送达',
  failed: '发送失败，重试中',
  dead: '发送失败',
  superseded: '已被后续通知取代',
};

const STAGES = [
  { key: 'accept', title: '签收期限' },
  { key: 'complete', title: '办结期限' },
  { key: 'returnRequest', title: '退单期限' },
] as const;

/** What an event's data says, in one line (free text arrives masked unless revealed). */
function eventText(event: TimelineEvent): string {
  const d = event.data;
  const parts = [
    'unitId',
    'reason',
    'reply',
    'result',
    'comment',
    'outcome',
    'note',
    'content',
    'address',
  ]
    .filter((k) => typeof d[k] === 'string' || typeof d[k] === 'number')
    .map((k) => String(d[k]));
  const citizen = d.citizen as { name?: string | null; phone?: string | null } | undefined;
  if (citizen) parts.push(`市民 ${citizen.name ?? ''} ${citizen.phone ?? ''}`.trim());
  return parts.join(' · ');
}

/** 工单详情: state, timeline, deadlines with their explanation, escalations, personal data. */
export default function OrderDetail({ id, principal }: { id: string; principal: Principal }) {
  const [reveal, setReveal] = useState(false);
  const [order, setOrder] = useState<WorkOrder | null>(null);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [deliveries, setDeliveries] = useState<Record<string, Delivery[]>>({});
  const [failure, setFailure] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const q = query({ reveal: reveal ? 'true' : undefined });
      const [o, e] = await Promise.all([
        getJson<WorkOrder>(`/work-orders/${encodeURIComponent(id)}${q}`),
        getJson<{ items: TimelineEvent[] }>(`/work-orders/${encodeURIComponent(id)}/events${q}`),
      ]);
      setOrder(o);
      setEvents(e.items);
      setFailure(null);
      // Who was told of each escalation, through which channel, and how it went.
      const told = await Promise.all(
        o.escalations.map((x) =>
          getJson<{ deliveries?: Delivery[] }>(`/escalations/${x.escalationId}`).then(
            (one) => [x.escalationId, one.deliveries ?? []] as const,
            () => [x.escalationId, []] as const,
          ),
        ),
      );
      setDeliveries(Object.fromEntries(told) as Record<string, Delivery[]>);
    } catch (error) {
      setFailure(error);
    }
  }, [id, reveal]);

  useEffect(() => {
    void load();
  }, [load]);

  if (failure) return <Refused failure={failure} />;
  if (!order) return <Spin />;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <h1 style={{ fontSize: 20, margin: 0 }}>{`工单详情 ${order.workOrderId}`}</h1>
        {mayReveal(principal) && !reveal && (
          <Button onClick={() => setReveal(true)}>显示完整个人信息（记入审计日志）</Button>
        )}
      </Space>
      {reveal && (
        <Alert type="warning" showIcon title="个人信息已完整显示，本次查看已记入审计日志。" />
      )}
      <Card title="基本信息" size="small">
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} bordered>
          <Descriptions.Item label="状态">
            {label(ORDER_STATUS_LABELS, order.status)}
          </Descriptions.Item>
          <Descriptions.Item label="承办单位">
            {order.unitName ?? order.unitId ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label="类别">
            {label(CATEGORY_LABELS, order.category)}
          </Descriptions.Item>
          <Descriptions.Item label="紧急程度">
            {label(URGENCY_LABELS, order.urgency)}
          </Descriptions.Item>
          <Descriptions.Item label="督办级别">
            {order.supervisionLevel ? `${order.supervisionLevel}级` : '无'}
          </Descriptions.Item>
          <Descriptions.Item label="规则版本">
            {order.profile ? `${order.profile.id} ${order.profile.version}` : '—'}
          </Descriptions.Item>
          <Descriptions.Item label="标题" span={3}>
            {order.title ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label="内容" span={3}>
            {order.content ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label="地址" span={3}>
            {order.address ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label="市民">
            {order.citizen ? `${order.citizen.name ?? ''} ${order.citizen.phone ?? ''}` : '—'}
          </Descriptions.Item>
          <Descriptions.Item label="受理时间">{shortInstant(order.receivedAt)}</Descriptions.Item>
          <Descriptions.Item label="签收时间">{shortInstant(order.acceptedAt)}</Descriptions.Item>
          <Descriptions.Item label="答复时间">{shortInstant(order.repliedAt)}</Descriptions.Item>
          <Descriptions.Item label="签收">
            {label(OUTCOME_LABELS, order.stageOutcomes.accept)}
          </Descriptions.Item>
          <Descriptions.Item label="办结">
            {label(OUTCOME_LABELS, order.stageOutcomes.complete)}
          </Descriptions.Item>
          <Descriptions.Item label="其他">
            {[
              order.suspended ? '挂起中' : null,
              order.excluded ? '不计考核' : null,
              order.reworkRound > 0 ? `重办第${order.reworkRound}轮` : null,
              order.segment > 1 ? `第${order.segment}次派单` : null,
              ...order.tags,
            ]
              .filter(Boolean)
              .join('、') || '—'}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title="期限及计算说明" size="small">
        {STAGES.map(({ key, title }) => {
          const explanation = order.explanation?.[key];
          const due =
            key === 'accept' ? order.acceptDueAt : key === 'complete' ? order.completeDueAt : null;
          if (!explanation && !due) return null;
          return (
            <div key={key} style={{ marginBottom: 12 }}>
              <Typography.Text strong>{`${title}：${shortInstant(due)}`}</Typography.Text>
              {explanation && (
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
                  {explanation.text}
                </Typography.Paragraph>
              )}
            </div>
          );
        })}
      </Card>
      <Card title="事件时间线" size="small">
        <Timeline
          items={events.map((e) => ({
            key: e.eventId,
            content: (
              <>
                <Typography.Text strong>{label(EVENT_LABELS, e.type)}</Typography.Text>{' '}
                <Typography.Text type="secondary">{shortInstant(e.occurredAt)}</Typography.Text>
                <div>{eventText(e)}</div>
              </>
            ),
          }))}
        />
      </Card>
      <Card title="督办记录" size="small">
        <ScrollRegion label="督办记录表格">
          <Table<Escalation>
            rowKey="escalationId"
            size="small"
            pagination={false}
            style={{ minWidth: 'max-content' }}
            dataSource={order.escalations}
            columns={[
              {
                title: '类型',
                dataIndex: 'kind',
                render: (k: string) => label(ESCALATION_KIND_LABELS, k),
              },
              {
                title: '状态',
                dataIndex: 'status',
                render: (s: string) => <Tag>{label(ESCALATION_STATUS_LABELS, s)}</Tag>,
              },
              {
                title: '级别变化',
                key: 'levels',
                render: (_: unknown, e) =>
                  e.levels
                    .map((l) => `${l.level}级 ${shortInstant(l.reachedAt)}（${l.why}）`)
                    .join('；'),
              },
              { title: '送达对象', dataIndex: 'recipients', render: (r: string[]) => r.join('、') },
              {
                title: '通知送达',
                key: 'deliveries',
                render: (_: unknown, e) =>
                  (deliveries[e.escalationId] ?? [])
                    .map(
                      (d) =>
                        `${d.recipient}·${d.channel}：${DELIVERY_STATUS_LABELS[d.status] ?? d.status}${d.sentAt ? ` ${shortInstant(d.sentAt)}` : ''}`,
                    )
                    .join('；') || '—',
              },
              { title: '触发时间', dataIndex: 'firedAt', render: (d: string) => shortInstant(d) },
              {
                title: '处理',
                key: 'handled',
                render: (_: unknown, e) =>
                  e.resolved
                    ? `办结 ${shortInstant(e.resolved.at)} ${e.resolved.note ?? ''}`
                    : e.acknowledged
                      ? `签收 ${shortInstant(e.acknowledged.at)} ${e.acknowledged.by}`
                      : e.withdrawn
                        ? `撤回 ${shortInstant(e.withdrawn.at)}`
                        : '待处理',
              },
            ]}
          />
        </ScrollRegion>
      </Card>
    </Space>
  );
}
