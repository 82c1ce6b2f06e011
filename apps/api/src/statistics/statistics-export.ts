/**
 * The monthly exports: CSV (UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it
 * as UTF-8) and XLSX, one row per unit and the total, Chinese headings, and the formula printed
 * with the figures.
 */
import ExcelJS from 'exceljs';
import { formatInstant } from '@hotline/core';
import type { StatisticsReport } from '@hotline/persistence/statistics';
import { FIGURE_COLUMNS, TOTAL_LABEL, UNIT_HEADER } from './statistics-columns';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const XLSX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The rows of the table: heading, one per unit, the total; cells as numbers or text. */
export function exportRows(report: StatisticsReport): (string | number | null)[][] {
  const header = [UNIT_HEADER, ...FIGURE_COLUMNS.map((c) => c.header)];
  const body = report.groups.map((g) => [g.key, ...FIGURE_COLUMNS.map((c) => c.value(g))]);
  const total = [TOTAL_LABEL, ...FIGURE_COLUMNS.map((c) => c.value(report.total))];
  return [header, ...body, total];
}

/** One CSV field, quoted when needed; a text cell a spreadsheet would read as a formula stays text. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  // A text cell a spreadsheet would read as a formula (=, +, -, @) is kept as text.
  const text =
    typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function statusLine(report: StatisticsReport, timeZone: string): string {
  return report.closed === null
    ? '未结账（实时数据）'
    : `已结账 ${formatInstant(report.closed.closedAt, timeZone)}，${report.closed.closedBy}；结账后更正 ${report.restatements.length} 条`;
}

/** The CSV: BOM, the heading line, units, the total, then the month, status and formula lines. */
export function monthlyCsv(report: StatisticsReport, timeZone: string): Buffer {
  const lines = exportRows(report).map((row) => row.map(csvCell).join(','));
  lines.push(
    '',
    [csvCell('统计月份'), csvCell(report.month ?? `${report.fromOn}~${report.toOn}`)].join(','),
    [csvCell('状态'), csvCell(statusLine(report, timeZone))].join(','),
    [csvCell('统计口径'), csvCell(report.formula)].join(','),
  );
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/**
 * The workbook: sheet 月度统计 (heading row, one row per unit, 合计, and a note row with the
 * formula), sheet 统计口径 (month, status, formula in Chinese and English, its id and version, when
 * overdue-and-open was counted), and for a closed month sheet 结账后更正 (the restatements).
 */
export async function monthlyXlsx(report: StatisticsReport, timeZone: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'hotline-supervision';
  const sheet = workbook.addWorksheet('月度统计', { views: [{ state: 'frozen', ySplit: 1 }] });
  const rows = exportRows(report);
  rows.forEach((row, index) => {
    const added = sheet.addRow(row.map((cell) => cell ?? ''));
    if (index === 0 || index === rows.length - 1) added.font = { bold: true };
  });
  FIGURE_COLUMNS.forEach((column, index) => {
    const sheetColumn = sheet.getColumn(index + 2);
    sheetColumn.width = Math.max(8, column.header.length * 2 + 2);
    if (column.rate) sheetColumn.numFmt = '0.00';
  });
  sheet.getColumn(1).width = 24;
  sheet.addRow([]);
  sheet.addRow([`统计口径：${report.formula}`]);

  const [zh, en] = report.formula.split(' / ');
  const about = workbook.addWorksheet('统计口径');
  about.getColumn(1).width = 18;
  about.getColumn(2).width = 120;
  about.addRows([
    ['统计月份', report.month ?? `${report.fromOn}~${report.toOn}`],
    ['统计区间', `${report.fromOn} 至 ${report.toOn}`],
    ['状态', statusLine(report, timeZone)],
    ['满意率口径', zh ?? report.formula],
    ['Formula', en ?? ''],
    ['口径版本', `${report.formulaId} ${report.formulaVersion}`],
    ['超期未办结统计时点', formatInstant(report.overdueAt, timeZone)],
  ]);

  if (report.closed !== null) {
    const changes = workbook.addWorksheet('结账后更正');
    changes.addRow([
      '工单号',
      '承办单位',
      '类别',
      '指标',
      '变动',
      '更正前',
      '更正后',
      '原因',
      '时间',
    ]);
    for (const r of report.restatements) {
      changes.addRow([
        r.workOrderId,
        r.unitId,
        r.category,
        r.measure,
        r.delta,
        r.before,
        r.after,
        r.cause,
        formatInstant(r.at, timeZone),
      ]);
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** `Content-Disposition` with an ASCII name and the Chinese one (RFC 6266, RFC 5987). */
export function attachment(asciiName: string, name: string): string {
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
