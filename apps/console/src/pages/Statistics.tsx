import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  DatePicker,
  Row,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { unitsNeedingAttention } from '../../../../libs/core/src/statistics/units-needing-attention';
import { ApiFailure, download, getJson, postJson, query, type Figures, type Report } from '../api';
import { Refused } from '../App';
import { ScrollRegion } from '../scroll-region';
import { Chart } from '../charts';
import { percent, shortInstant } from '../format';
import { CATEGORY_LABELS, ESCALATION_KINDS, ESCALATION_KIND_LABELS, label } from '../labels';
import { mayCloseMonth, type Principal } from '../session';

type Row = Figures & { key: string };

const figureColumns = (
  keyTitle: string,
  keyLabel: (key: string) => string,
): TableColumnsType<Row> => [
  { title: keyTitle, dataIndex: 'key', render: (k: string) => keyLabel(k) },
  { title: '受理量', dataIndex: 'received' },
  { title: '满意率', dataIndex: 'satisfactionRate', render: percent },
  { title: '按时签收率', dataIndex: 'onTimeAcceptanceRate', render: percent },
  { title: '按期办结率', dataIndex: 'onTimeCompletionRate', render: percent },
  { title: '退单', dataIndex: 'returned' },
  { title: '延期', dataIndex: 'extended' },
  { title: '超期未办结', dataIndex: 'overdueOpen' },
  { title: '重办', dataIndex: 'reworks' },
  { title: '虚假办结', dataIndex: 'falseCompletions' },
  ...ESCALATION_KINDS.map((kind) => ({
    title: `督办·${ESCALATION_KIND_LABELS[kind]}`,
    key: kind,
    render: (_: unknown, row: Row) => row.escalations[kind] ?? 0,
  })),
  { title: '督办合计', dataIndex: 'escalationsTotal' },
];

const withTotal = (report: Report | null): Row[] =>
  report ? [...report.groups, { ...report.total, key: '合计' }] : [];

function monthsUpTo(month: string): string[] {
  const [year, last] = month.split('-').map(Number) as [number, number];
  return Array.from({ length: last }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
}

/** 统计: a month and the year to date per unit and category, charts, exports, month close. */
export default function Statistics({
  principal,
  initialMonth,
}: {
  principal: Principal;
  initialMonth: string | null;
}) {
  const { message, modal } = AntApp.useApp();
  const [month, setMonth] = useState(
    () => initialMonth ?? dayjs().subtract(1, 'month').format('YYYY-MM'),
  );
  const [byUnit, setByUnit] = useState<Report | null>(null);
  const [byCategory, setByCategory] = useState<Report | null>(null);
  const [ytd, setYtd] = useState<Report | null>(null);
  const [trend, setTrend] = useState<{ month: string; total: Figures }[]>([]);
  const [failure, setFailure] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const year = month.slice(0, 4);
      const monthEnd = dayjs(`${month}-01`).endOf('month');
      const to = (monthEnd.isAfter(dayjs()) ? dayjs() : monthEnd).format('YYYY-MM-DD');
      const [unit, category, summary, ...months] = await Promise.all([
        getJson<Report>(`/statistics/monthly${query({ month, groupBy: 'unit' })}`),
        getJson<Report>(`/statistics/monthly${query({ month, groupBy: 'category' })}`),
        getJson<Report>(
          `/statistics/summary${query({ from: `${year}-01-01`, to, groupBy: 'unit' })}`,
        ),
        ...monthsUpTo(month).map((m) =>
          getJson<Report>(`/statistics/monthly${query({ month: m })}`),
        ),
      ]);
      setByUnit(unit);
      setByCategory(category);
      setYtd(summary);
      setTrend(monthsUpTo(month).map((m, i) => ({ month: m, total: months[i]!.total })));
      setFailure(null);
    } catch (error) {
      setFailure(error);
    }
  }, [month]);

  useEffect(() => {
    void load();
  }, [load]);

  const trendOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: trend.map((t) => t.month) },
      yAxis: {
        type: 'value',
        min: (v: { min: number }) => Math.max(0, Math.floor(v.min - 5)),
        max: 100,
      },
      series: [
        { name: '满意率', key: 'satisfactionRate' },
        { name: '按时签收率', key: 'onTimeAcceptanceRate' },
        { name: '按期办结率', key: 'onTimeCompletionRate' },
      ].map((s) => ({
        name: s.name,
        type: 'line',
        connectNulls: true,
        data: trend.map((t) => t.total[s.key as 'satisfactionRate']),
      })),
    }),
    [trend],
  );
  const escalationOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 60, bottom: 60 },
      xAxis: {
        type: 'category',
        data: (byUnit?.groups ?? []).map((g) => g.key),
        axisLabel: { rotate: 30 },
      },
      yAxis: { type: 'value' },
      series: ESCALATION_KINDS.map((kind) => ({
        name: ESCALATION_KIND_LABELS[kind],
        type: 'bar',
        stack: 'kinds',
        data: (byUnit?.groups ?? []).map((g) => g.escalations[kind] ?? 0),
      })),
    }),
    [byUnit],
  );

  if (failure && !(failure instanceof ApiFailure && failure.status === 400)) {
    return <Refused failure={failure} />;
  }
  const attention = ytd ? unitsNeedingAttention(ytd.groups, ytd.total) : [];
  const save = (ext: 'csv' | 'xlsx') =>
    download(`/statistics/monthly.${ext}${query({ month })}`, `statistics-${month}.${ext}`).catch(
      (e: Error) => message.error(e.message),
    );
  const close = () => {
    modal.confirm({
      title: `确认结账 ${month}？`,
      content: '结账后本月数据冻结；之后到达的事件只记为结账后更正，不再改变本月数字。',
      okText: '确认结账',
      cancelText: '取消',
      onOk: async () => {
        try {
          await postJson(`/statistics/months/${month}/close`, {});
          void message.success(`${month} 已结账`);
          await load();
        } catch (error) {
          void message.error((error as Error).message);
        }
      },
    });
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <h1 style={{ fontSize: 20, margin: 0 }}>统计</h1>
        <Space wrap>
          <DatePicker
            picker="month"
            aria-label="统计月份"
            allowClear={false}
            value={dayjs(`${month}-01`)}
            onChange={(d: Dayjs | null) => d && setMonth(d.format('YYYY-MM'))}
          />
          <Button onClick={() => void save('csv')}>下载 CSV</Button>
          <Button onClick={() => void save('xlsx')}>下载 XLSX</Button>
          {mayCloseMonth(principal) && byUnit?.status === 'open' && (
            <Button danger onClick={close}>
              月度结账
            </Button>
          )}
        </Space>
      </Space>
      {byUnit && (
        <Alert
          type={byUnit.status === 'closed' ? 'success' : 'info'}
          title={
            byUnit.status === 'closed'
              ? `${month} 已结账（${shortInstant(byUnit.closedAt)}），数字已冻结`
              : `${month} 未结账（实时数据）`
          }
          description={<span>{`统计口径：${byUnit.formula}`}</span>}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title="月度趋势（满意率、按时签收率、按期办结率）" size="small">
            <Chart option={trendOption} label="三项比率的月度趋势图" />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="各单位督办（按类型）" size="small">
            <Chart option={escalationOption} label="各单位按类型的督办数量图" />
          </Card>
        </Col>
      </Row>
      <Card size="small">
        <Tabs
          items={[
            {
              key: 'unit',
              label: '本月·按单位',
              children: (
                <ScrollRegion label="本月按单位统计表">
                  <Table<Row>
                    rowKey="key"
                    size="small"
                    pagination={false}
                    style={{ minWidth: 'max-content' }}
                    columns={figureColumns('承办单位', (k) => k)}
                    dataSource={withTotal(byUnit)}
                  />
                </ScrollRegion>
              ),
            },
            {
              key: 'category',
              label: '本月·按类别',
              children: (
                <ScrollRegion label="本月按类别统计表">
                  <Table<Row>
                    rowKey="key"
                    size="small"
                    pagination={false}
                    style={{ minWidth: 'max-content' }}
                    columns={figureColumns('类别', (k) => label(CATEGORY_LABELS, k))}
                    dataSource={withTotal(byCategory)}
                  />
                </ScrollRegion>
              ),
            },
            {
              key: 'ytd',
              label: '截至目前（本年）',
              children: (
                <ScrollRegion label="本年截至目前统计表">
                  <Table<Row>
                    rowKey="key"
                    size="small"
                    pagination={false}
                    style={{ minWidth: 'max-content' }}
                    columns={figureColumns('承办单位', (k) => k)}
                    dataSource={withTotal(ytd)}
                  />
                </ScrollRegion>
              ),
            },
          ]}
        />
      </Card>
      <Card title="需要关注的单位（本年满意率或按期办结率低于全街道，或有超期未办结）" size="small">
        {attention.length === 0 ? (
          <Typography.Text>无：各单位各项比率均不低于全街道</Typography.Text>
        ) : (
          <ul style={{ margin: 0, paddingLeft: 20 }}>
            {attention.map((g) => (
              <li key={g.key}>
                {`${g.key}：满意率 ${percent(g.satisfactionRate)}，按期办结率 ${percent(g.onTimeCompletionRate)}，超期未办结 ${g.overdueOpen}，督办 ${g.escalationsTotal}`}
              </li>
            ))}
          </ul>
        )}
      </Card>
      {byUnit?.status === 'closed' && (
        <Card title={`结账后更正（${byUnit.restatements?.length ?? 0} 条）`} size="small">
          <ScrollRegion label="结账后更正表">
            <Table
              rowKey={(r) => `${r.workOrderId}-${r.measure}-${r.at}`}
              size="small"
              style={{ minWidth: 'max-content' }}
              dataSource={byUnit.restatements ?? []}
              columns={[
                { title: '工单号', dataIndex: 'workOrderId' },
                { title: '承办单位', dataIndex: 'unitId' },
                { title: '指标', dataIndex: 'measure' },
                { title: '更正前', dataIndex: 'before' },
                { title: '更正后', dataIndex: 'after' },
                { title: '原因', dataIndex: 'cause', render: (c: string) => <Tag>{c}</Tag> },
                { title: '时间', dataIndex: 'at', render: (d: string) => shortInstant(d) },
              ]}
            />
          </ScrollRegion>
        </Card>
      )}
    </Space>
  );
}
