import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  App as AntApp,
  Button,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { getJson, postJson, query, type Escalation, type Page } from '../api';
import { duration, shortInstant } from '../format';
import {
  ESCALATION_KINDS,
  ESCALATION_KIND_LABELS,
  ESCALATION_LEVEL_LABELS,
  WITHDRAWAL_REASON_LABELS,
  label,
} from '../labels';
import { takePrefetched } from '../prefetch';
import { orderHref } from '../route';
import { mayResolve, type Principal } from '../session';

export const inboxPath = (filter: Record<string, string | number | undefined>) =>
  `/escalations${query({ ...filter, pageSize: 50 })}`;

/** What the inbox asks first: open escalations, no filter, the first page. */
export const FIRST_INBOX_PATH = inboxPath({ status: 'open', page: 1 });

/** Set once, when the first escalations are on screen: the console is usable. */
export const USABLE_MARK = 'hotline:first-page-usable';

/** The inbox asks again this often (and at once after an action). */
export const REFRESH_MS = 15_000;

const TABS = [
  { key: 'open', label: '待处理' },
  { key: 'acknowledged', label: '已签收' },
  { key: 'resolved', label: '已办结' },
  { key: 'withdrawn', label: '已撤回' },
] as const;
type Tab = (typeof TABS)[number]['key'];

const LEVEL_COLORS: Record<number, string> = { 1: 'gold', 2: 'volcano', 3: 'red' };
const AGES = [
  { value: 0, label: '不限' },
  { value: 86_400_000, label: '超过1天' },
  { value: 3 * 86_400_000, label: '超过3天' },
  { value: 7 * 86_400_000, label: '超过7天' },
];

type Action = { kind: 'acknowledge' | 'resolve'; escalation: Escalation };

/** 督办台: escalations by status, filtered by level, kind, unit and age, acted on with a note. */
export function Inbox({ principal }: { principal: Principal }) {
  const { message } = AntApp.useApp();
  const [tab, setTab] = useState<Tab>('open');
  const [level, setLevel] = useState<number | undefined>();
  const [kind, setKind] = useState<string | undefined>();
  const [unitId, setUnitId] = useState('');
  const [minAgeMs, setMinAgeMs] = useState(0);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<Escalation> | null>(null);
  const [loadedAt, setLoadedAt] = useState<Date | null>(null);
  const [loading, setLoading] = useState(false);
  const [action, setAction] = useState<Action | null>(null);
  const [note, setNote] = useState('');

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const path = inboxPath({
        status: tab,
        level,
        kind,
        unitId: principal.role === 'unit' ? undefined : unitId.trim(),
        page,
      });
      setData(await (takePrefetched<Page<Escalation>>(path) ?? getJson<Page<Escalation>>(path)));
      setLoadedAt(new Date());
    } catch (error) {
      void message.error(`加载失败：${(error as Error).message}`);
    } finally {
      setLoading(false);
    }
  }, [tab, level, kind, unitId, page, principal.role, message]);

  // The first page's budget is measured to this mark (test/console.browser-spec.ts).
  useEffect(() => {
    if (data && performance.getEntriesByName(USABLE_MARK).length === 0) {
      performance.mark(USABLE_MARK);
    }
  }, [data]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const act = async () => {
    if (!action) return;
    const { escalationId } = action.escalation;
    try {
      await postJson(`/escalations/${escalationId}/${action.kind}`, {
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      void message.success(action.kind === 'acknowledge' ? '已签收' : '已办结');
      setAction(null);
      setNote('');
      await load();
    } catch (error) {
      void message.error((error as Error).message);
    }
  };

  const now = loadedAt?.getTime() ?? 0;
  const rows = useMemo(
    () => (data?.items ?? []).filter((e) => now - Date.parse(e.firedAt) >= minAgeMs),
    [data, minAgeMs, now],
  );

  const columns: TableColumnsType<Escalation> = [
    {
      title: '工单号',
      dataIndex: 'workOrderId',
      render: (id: string) => <a href={orderHref(id)}>{id}</a>,
    },
    { title: '承办单位', dataIndex: 'unitId', responsive: ['md'] },
    {
      title: '类型',
      dataIndex: 'kind',
      render: (k: string) => label(ESCALATION_KIND_LABELS, k),
    },
    {
      title: '级别',
      dataIndex: 'level',
      render: (l: 1 | 2 | 3) => (
        <Tooltip title={ESCALATION_LEVEL_LABELS[l]}>
          <Tag color={LEVEL_COLORS[l]}>{`${l}级`}</Tag>
        </Tooltip>
      ),
    },
    {
      title: '期限',
      dataIndex: 'dueAt',
      responsive: ['sm'],
      render: (d: string | null) => shortInstant(d),
    },
    {
      title: '超时',
      key: 'late',
      render: (_: unknown, e) => {
        if (!e.dueAt) return '—';
        const late = now - Date.parse(e.dueAt);
        return late > 0 ? (
          <Typography.Text type="danger">{`超时${duration(late)}`}</Typography.Text>
        ) : (
          `剩余${duration(late)}`
        );
      },
    },
    {
      title: '已持续',
      key: 'age',
      responsive: ['lg'],
      render: (_: unknown, e) => duration(now - Date.parse(e.firedAt)),
    },
    {
      title: tab === 'withdrawn' ? '撤回原因' : tab === 'resolved' ? '督办结果' : '处理',
      key: 'action',
      render: (_: unknown, e) => {
        if (e.status === 'withdrawn' && e.withdrawn) {
          return (
            <Space orientation="vertical" size={0}>
              <Tag>已撤回</Tag>
              <span>{label(WITHDRAWAL_REASON_LABELS, e.withdrawn.reason)}</span>
            </Space>
          );
        }
        if (e.status === 'resolved' && e.resolved) {
          return (
            e.resolved.note ??
            (e.resolved.resolution === 'manual' ? '人工办结' : '原因已消除，自动办结')
          );
        }
        return (
          <Space wrap>
            {e.status === 'open' && (
              <Button
                size="small"
                onClick={() => setAction({ kind: 'acknowledge', escalation: e })}
              >
                签收
              </Button>
            )}
            {mayResolve(principal) && (
              <Button
                size="small"
                type="primary"
                onClick={() => setAction({ kind: 'resolve', escalation: e })}
              >
                办结
              </Button>
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <section aria-labelledby="inbox-title">
      <Space wrap style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
        <h1 id="inbox-title" style={{ fontSize: 20, margin: 0 }}>
          督办台
        </h1>
        <Typography.Text type="secondary" aria-live="polite">
          {loadedAt
            ? `每${REFRESH_MS / 1000}秒自动刷新 · 上次 ${loadedAt.toLocaleTimeString('zh-CN')}`
            : '加载中…'}
        </Typography.Text>
      </Space>
      <Tabs
        activeKey={tab}
        onChange={(key) => {
          setTab(key as Tab);
          setPage(1);
        }}
        items={TABS.map((t) => ({ key: t.key, label: t.label }))}
      />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          aria-label="督办级别"
          placeholder="督办级别"
          allowClear
          style={{ width: 130 }}
          value={level}
          onChange={(v: number | undefined) => {
            setLevel(v);
            setPage(1);
          }}
          options={[1, 2, 3].map((l) => ({ value: l, label: `${l}级督办` }))}
        />
        <Select
          aria-label="督办类型"
          placeholder="督办类型"
          allowClear
          style={{ width: 150 }}
          value={kind}
          onChange={(v: string | undefined) => {
            setKind(v);
            setPage(1);
          }}
          options={ESCALATION_KINDS.map((k) => ({ value: k, label: ESCALATION_KIND_LABELS[k] }))}
        />
        {principal.role !== 'unit' && (
          <Input.Search
            aria-label="承办单位编号"
            placeholder="承办单位编号"
            allowClear
            style={{ width: 200 }}
            onSearch={(v) => {
              setUnitId(v);
              setPage(1);
            }}
          />
        )}
        <Select
          aria-label="已持续时间"
          style={{ width: 120 }}
          value={minAgeMs}
          onChange={(v: number) => setMinAgeMs(v)}
          options={AGES}
        />
      </Space>
      <Table<Escalation>
        rowKey="escalationId"
        size="middle"
        loading={loading && !data}
        columns={columns}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: 50,
          total: data?.total ?? 0,
          showSizeChanger: false,
          onChange: setPage,
          showTotal: (total) => `共 ${total} 条`,
        }}
      />
      <Modal
        open={action !== null}
        title={action?.kind === 'acknowledge' ? '签收督办' : '办结督办（督办结果）'}
        okText={action?.kind === 'acknowledge' ? '签收' : '办结'}
        cancelText="取消"
        okButtonProps={{ disabled: action?.kind === 'resolve' && note.trim() === '' }}
        onOk={() => void act()}
        onCancel={() => {
          setAction(null);
          setNote('');
        }}
      >
        {action && (
          <p>
            {`工单 ${action.escalation.workOrderId} · ${label(ESCALATION_KIND_LABELS, action.escalation.kind)} · ${action.escalation.level}级`}
          </p>
        )}
        <Input.TextArea
          aria-label={action?.kind === 'resolve' ? '督办结果（必填）' : '备注（可选）'}
          placeholder={action?.kind === 'resolve' ? '督办结果（必填）' : '备注（可选）'}
          rows={4}
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </Modal>
    </section>
  );
}
