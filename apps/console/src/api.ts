/**
 * The console's one HTTP client: every call carries the bearer token, every refusal becomes an
 * ApiFailure with the API's own message (its error body is `{ statusCode, error, message }`).
 */
import { endSession, storedToken } from './session';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const token = storedToken();
  const res = await fetch(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // The token expired or was refused: back to the sign-in card.
  if (res.status === 401 && token) endSession();
  if (!res.ok) {
    let message = res.statusText;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      // not the API's error body: the status text stands
    }
    throw new ApiFailure(res.status, message);
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await send('GET', path)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await (await send('POST', path, body)).json()) as T;
}

/** A file the API answers (CSV, XLSX) saved under the name its Content-Disposition gives. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await send('GET', path);
  const disposition = res.headers.get('content-disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const name = encoded ? decodeURIComponent(encoded) : fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const query = (params: Record<string, string | number | undefined | null>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  totalIsExact: boolean;
}

export interface Escalation {
  escalationId: string;
  workOrderId: string;
  unitId: string | null;
  kind: string;
  level: number;
  status: 'open' | 'acknowledged' | 'resolved' | 'withdrawn';
  reason: string;
  dueAt: string | null;
  firedAt: string;
  recipients: string[];
  acknowledged: { at: string; by: string; note: string | null } | null;
  resolved: { at: string; by: string | null; resolution: string; note: string | null } | null;
  withdrawn: {
    at: string;
    reason: string;
    evidence: { eventId: string | null; occurredAt: string | null };
  } | null;
  levels: { level: number; reachedAt: string; why: string }[];
}

/** One notice of an escalation change to one recipient through one channel (apps/notifier). */
export interface Delivery {
  id: number;
  change: string;
  recipient: string;
  channel: string;
  status: string;
  attempts: number;
  sentAt: string | null;
  lastError: string | null;
}

export interface Explanation {
  text: string;
}

export interface WorkOrder {
  workOrderId: string;
  status: string;
  unitId: string | null;
  unitName: string | null;
  category: string | null;
  urgency: string | null;
  tags: string[];
  title: string | null;
  content: string | null;
  address: string | null;
  citizen: { name: string | null; phone: string | null } | null;
  receivedAt: string | null;
  acceptedAt: string | null;
  repliedAt: string | null;
  closedAt: string | null;
  acceptDueAt: string | null;
  completeDueAt: string | null;
  segment: number;
  reworkRound: number;
  suspended: boolean;
  excluded: boolean;
  stageOutcomes: { accept: string | null; complete: string | null };
  profile: { id: string; version: string } | null;
  supervisionLevel: number | null;
  escalations: Escalation[];
  explanation: {
    accept: Explanation | null;
    complete: Explanation | null;
    returnRequest: Explanation | null;
    unavailable?: unknown;
  } | null;
}

export interface WorkOrderSummary {
  workOrderId: string;
  status: string;
  unitId: string | null;
  category: string | null;
  title: string | null;
  receivedAt: string | null;
  acceptDueAt: string | null;
  completeDueAt: string | null;
  overdue: boolean;
  supervisionLevel: number | null;
}

export interface TimelineEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface Figures {
  key?: string;
  received: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  unreachable: number;
  declined: number;
  satisfactionRate: number | null;
  onTimeAcceptanceRate: number | null;
  onTimeCompletionRate: number | null;
  returned: number;
  extended: number;
  overdueOpen: number;
  reworks: number;
  falseCompletions: number;
  escalations: Record<string, number>;
  escalationsTotal: number;
}

export interface Restatement {
  workOrderId: string;
  unitId: string;
  category: string;
  measure: string;
  delta: number;
  before: number;
  after: number;
  cause: string;
  at: string;
}

export interface Report {
  total: Figures;
  groups: (Figures & { key: string })[];
  formula: string;
  status?: 'open' | 'closed';
  closedAt?: string | null;
  restatements?: Restatement[];
}
