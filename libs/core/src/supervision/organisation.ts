/**
 * The organisation escalations go to (domain.md §4), from `config/organisation.json`: the street's
 * handling units, each with a liaison (联络员) and a head (负责人), the supervision office (督查室)
 * and the street leadership (街道领导). Validated here, listing every problem at once; reading the
 * file is the app's job.
 *
 * Recipients by level:
 * - 1: the unit's liaison;
 * - 2: the unit's head and every contact of the supervision office;
 * - 3: every contact of the street leadership.
 * An escalation for a unit the file does not list (a new unit, a typo in the hotline's data) goes
 * at levels 1 and 2 to the supervision office, so it is never addressed to nobody.
 *
 * A recipient id names the post, not the person, so it survives a change of staff:
 * `teda-enforcement:liaison`, `teda-enforcement:head`, `supervision-office:director`,
 * `leadership:secretary`.
 */
import { z } from 'zod';
import { describeIssues, type ValidationResult } from '../calendar/validation-result';
import {
  checkNotificationRouting,
  notificationRoutingSchema,
} from '../notifications/notification-routing';
import type { EscalationLevel } from './escalation';

const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'use lower-case letters, digits, . _ -' })
  .max(64);
const text = (max: number) => z.string().trim().min(1).max(max);
const phone = z
  .string()
  .regex(/^\+?[0-9][0-9 -]{4,30}$/, { error: 'digits, spaces and dashes, optionally a leading +' });

const personSchema = z.strictObject({
  name: text(100),
  role: text(200),
  phone: phone.optional(),
  /** Where email notices go (apps/notifier). */
  email: z.email().max(254).optional(),
});
const contactSchema = personSchema.extend({ id: identifier });

const organisationSchema = z.strictObject({
  id: identifier,
  name: text(200),
  note: z.string().max(2000).optional(),
  units: z
    .array(
      z.strictObject({
        id: identifier,
        name: text(200),
        liaison: personSchema,
        head: personSchema,
      }),
    )
    .min(1),
  supervisionOffice: z.strictObject({ name: text(200), contacts: z.array(contactSchema).min(1) }),
  leadership: z.strictObject({ name: text(200), contacts: z.array(contactSchema).min(1) }),
  /** Channels and routing of the notices (libs/core/src/notifications). */
  notifications: notificationRoutingSchema.optional(),
});

export type Organisation = z.infer<typeof organisationSchema>;
export type OrganisationUnit = Organisation['units'][number];

export const RECIPIENT_POSTS = ['liaison', 'head', 'supervision_office', 'leadership'] as const;
export type RecipientPost = (typeof RECIPIENT_POSTS)[number];

export interface Recipient {
  /** Stable id of the post: `unitId:liaison`, `unitId:head`, `supervision-office:id`, `leadership:id`. */
  id: string;
  post: RecipientPost;
  name: string;
  role: string;
  phone: string | null;
  email: string | null;
  /** The unit or body the post belongs to (泰达街综合执法大队, 泰达街督查室, 泰达街道领导). */
  organisation: string;
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) repeated.add(id);
    seen.add(id);
  }
  return [...repeated];
}

/** Validates the organisation (parsed JSON), listing every problem at once. */
export function parseOrganisation(json: unknown): ValidationResult<Organisation> {
  const parsed = organisationSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error) };
  const org = parsed.data;
  const errors = [
    ...duplicates(org.units.map((unit) => unit.id)).map(
      (id) => `units: unit id ${id} is listed more than once`,
    ),
    ...duplicates(org.supervisionOffice.contacts.map((contact) => contact.id)).map(
      (id) => `supervisionOffice.contacts: contact id ${id} is listed more than once`,
    ),
    ...duplicates(org.leadership.contacts.map((contact) => contact.id)).map(
      (id) => `leadership.contacts: contact id ${id} is listed more than once`,
    ),
    ...(org.notifications === undefined
      ? []
      : checkNotificationRouting(
          org.notifications,
          org.units.map((unit) => unit.id),
        )),
  ];
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: org };
}

function unitRecipient(unit: OrganisationUnit, post: 'liaison' | 'head'): Recipient {
  const person = unit[post];
  return {
    id: `${unit.id}:${post}`,
    post,
    name: person.name,
    role: person.role,
    phone: person.phone ?? null,
    email: person.email ?? null,
    organisation: unit.name,
  };
}

function bodyRecipients(
  body: Organisation['supervisionOffice'],
  prefix: 'supervision-office' | 'leadership',
  post: 'supervision_office' | 'leadership',
): Recipient[] {
  return body.contacts.map((contact) => ({
    id: `${prefix}:${contact.id}`,
    post,
    name: contact.name,
    role: contact.role,
    phone: contact.phone ?? null,
    email: contact.email ?? null,
    organisation: body.name,
  }));
}

/** Who is told at `level` about an escalation for `unitId` (see the rules at the top). */
export function recipientContactsFor(
  org: Organisation,
  unitId: string,
  level: EscalationLevel,
): Recipient[] {
  const office = bodyRecipients(org.supervisionOffice, 'supervision-office', 'supervision_office');
  if (level === 3) return bodyRecipients(org.leadership, 'leadership', 'leadership');
  const unit = org.units.find((candidate) => candidate.id === unitId);
  if (unit === undefined) return office;
  return level === 1 ? [unitRecipient(unit, 'liaison')] : [unitRecipient(unit, 'head'), ...office];
}

/** The recipient ids for the outbox message's `recipients`. */
export function recipientsFor(org: Organisation, unitId: string, level: EscalationLevel): string[] {
  return recipientContactsFor(org, unitId, level).map((recipient) => recipient.id);
}
