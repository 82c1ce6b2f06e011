import { useEffect, useState } from 'react';
import { App as AntApp, Button, Select, Space, Table, Tag } from 'antd';
import { download, getJson, query, type Page, type WorkOrderSummary } from '../api';
import { Refused } from '../App';
import { shortInstant } from '../format';
import { CATEGORY_LABELS, ORDER_STATUS_LABELS, label } from '../labels';
import { orderHref } from '../route';
import type { Principal } from '../session';

/** 工单: the orders the caller may see, newest first, with the CSV/XLSX of the same filter. */
export default function Orders({ principal }: { principal: Principal }) {
  const { message } = AntApp.useApp();
  const [overdue, setOverdue] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<WorkOrderSummary> | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const filter = { overdue };

  useEffect(() => {
    getJson<Page<WorkOrderSummary>>(`/work-orders${query({ overdue, page, pageSize: 20 })}`).then(
      setData,
      setFailure,
    );
  }, [overdue, page]);

  if (failure) return <Refused failure={failure} />;
  const save = (ext: 'csv' | 'xlsx') =>
    download(`/work-orders.${ext}${query(filter)}`, `work-orders.${ext}`).catch((e: Error) =>
      message.error(e.message),
    );
  return (
    <section>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }}>
        <h1 style={{ fontSize: 20, margin: 0 }}>
          工单{principal.unitId ? `（${principal.unitId}）` : ''}
        </h1>
        <Space wrap>
          <Select
            aria-label="是否超期"
            placeholder="是否超期"
            allowClear
            style={{ width: 120 }}
            value={overdue}
            onChange={(v: string | undefined) => {
              setOverdue(v);
              setPage(1);
            }}
            options={[
              { value: 'true', label: '已超期' },
              { value: 'false', label: '未超期' },
            ]}
          />
          <Button onClick={() => void save('csv')}>导出 CSV</Button>
          <Button onClick={() => void save('xlsx')}>导出 XLSX</Button>
        </Space>
      </Space>
      <Table<WorkOrderSummary>
        rowKey="workOrderId"
        size="middle"
        loading={!data}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: 20,
          total: data?.total ?? 0,
          showSizeChanger: false,
          onChange: setPage,
        }}
        columns={[
          {
            title: '工单号',
            dataIndex: 'workOrderId',
            render: (id: string) => <a href={orderHref(id)}>{id}</a>,
          },
          { title: '标题', dataIndex: 'title' },
          { title: '承办单位', dataIndex: 'unitId', responsive: ['md'] },
          {
            title: '类别',
            dataIndex: 'category',
            render: (c: string) => label(CATEGORY_LABELS, c),
          },
          {
            title: '状态',
            dataIndex: 'status',
            render: (s: string) => label(ORDER_STATUS_LABELS, s),
          },
          {
            title: '受理时间',
            dataIndex: 'receivedAt',
            responsive: ['lg'],
            render: (d: string) => shortInstant(d),
          },
          {
            title: '超期',
            dataIndex: 'overdue',
            render: (o: boolean) => (o ? <Tag color="red">超期</Tag> : '否'),
          },
          {
            title: '督办',
            dataIndex: 'supervisionLevel',
            render: (l: number | null) => (l ? `${l}级` : '—'),
          },
        ]}
      />
    </section>
  );
}
