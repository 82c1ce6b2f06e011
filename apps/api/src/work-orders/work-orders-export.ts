/**
 * The orders list as a file (CSV with a byte-order mark, XLSX): the filtered orders with Chinese
 * headings. Exports leave the API's control, so their free text is always masked: no role
 * downloads a citizen's numbers (a leader or supervisor reveals one order at a time, audited).
 */
import ExcelJS from 'exceljs';
import { formatInstant, maskFreeText } from '@hotline/core';
import type { WorkOrderSummary } from '@hotline/persistence';
import { csvCell } from '../statistics/statistics-export';

/** At most this many orders in one file (newest received first); the list pages the rest. */
export const ORDER_EXPORT_LIMIT = 5_000;

const HEADERS = [
  '工单号',
  '状态',
  '承办单位',
  '类别',
  '紧急程度',
  '标题',
  '地址',
  '受理时间',
  '签收期限',
  '办结期限',
  '超期',
  '督办级别',
] as const;

function orderRows(orders: readonly WorkOrderSummary[], timeZone: string): (string | number)[][] {
  const iso = (d: Date | null) => (d === null ? '' : formatInstant(d, timeZone));
  return orders.map((o) => [
    o.workOrderId,
    o.status,
    o.unitId ?? '',
    o.category ?? '',
    o.urgency ?? '',
    maskFreeText(o.title) ?? '',
    maskFreeText(o.address) ?? '',
    iso(o.receivedAt),
    iso(o.acceptDueAt),
    iso(o.completeDueAt),
    o.overdue ? '是' : '否',
    o.supervisionLevel ?? '',
  ]);
}

export function ordersCsv(orders: readonly WorkOrderSummary[], timeZone: string): Buffer {
  const lines = [[...HEADERS], ...orderRows(orders, timeZone)].map((row) =>
    row.map(csvCell).join(','),
  );
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function ordersXlsx(
  orders: readonly WorkOrderSummary[],
  timeZone: string,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'hotline-supervision';
  const sheet = workbook.addWorksheet('工单', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow([...HEADERS]).font = { bold: true };
  sheet.addRows(orderRows(orders, timeZone));
  sheet.getColumn(1).width = 20;
  sheet.getColumn(6).width = 40;
  sheet.getColumn(7).width = 40;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
