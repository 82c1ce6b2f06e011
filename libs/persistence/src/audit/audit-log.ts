/** Statements for the audit log: who did what to which order, written by the API. */

export const AUDIT_ACTIONS = [
  /** A citizen's name and phone shown unmasked (domain.md §6). */
  'reveal_personal_data',
  'acknowledge_escalation',
  'resolve_escalation',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  subject: string;
  role: string;
  action: AuditAction;
  workOrderId: string | null;
  /** Identifiers only; never personal data. */
  detail?: Record<string, string | number | boolean | null>;
}

/** Anything that runs SQL: a DataSource, or a QueryRunner inside a transaction. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export async function appendAuditLog(sql: SqlRunner, entry: AuditEntry): Promise<void> {
  await sql.query(
    `INSERT INTO audit_log (subject, role, action, work_order_id, detail) VALUES ($1, $2, $3, $4, $5)`,
    [
      entry.subject,
      entry.role,
      entry.action,
      entry.workOrderId,
      entry.detail === undefined ? null : JSON.stringify(entry.detail),
    ],
  );
}
