/**
 * From a verified token's claims to the project's principal. The local tokens and the identity
 * provider's differ only in where subject, role and unit sit and how roles are spelled: one
 * mapping each, one function.
 */
import { ROLES, type Principal, type Role } from './principal';

export interface ClaimMapping {
  /** Claim names; a name absent at the top level is read as a dotted path (`realm_access.roles`). */
  subjectClaim: string;
  roleClaim: string;
  unitClaim: string;
  /** Role values as the issuer spells them → the project's roles; other values are ignored. */
  roles: Readonly<Record<string, Role>>;
}

/** The project's own tokens (`npm run token`): `sub`, `role`, `unitId`, roles spelled as ours. */
export const LOCAL_CLAIM_MAPPING: ClaimMapping = {
  subjectClaim: 'sub',
  roleClaim: 'role',
  unitClaim: 'unitId',
  roles: { leader: 'leader', supervisor: 'supervisor', unit: 'unit' },
};

export type ClaimMappingResult =
  | { ok: true; principal: Principal }
  | { ok: false; missing: 'subject' | 'role' | 'unit'; reason: string };

const UNIT_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_SUBJECT_LENGTH = 200;

/** A claim by name, else by dotted path through nested objects. */
function claimAt(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const step of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * The role claim may be one string or an array of strings. When several values map to roles the
 * strongest wins (leader, then supervisor, then unit): each role sees at least what the next does.
 */
function roleOf(value: unknown, mapping: ClaimMapping): Role | undefined {
  const values = Array.isArray(value) ? value : [value];
  const mapped = new Set(
    values.flatMap((v) =>
      typeof v === 'string' && Object.hasOwn(mapping.roles, v) ? [mapping.roles[v]] : [],
    ),
  );
  return ROLES.find((role) => mapped.has(role));
}

export function mapClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: ClaimMapping,
): ClaimMappingResult {
  const subject = claimAt(claims, mapping.subjectClaim);
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    return {
      ok: false,
      missing: 'subject',
      reason: `invalid claims: ${mapping.subjectClaim} (the subject must be a string of 1-${MAX_SUBJECT_LENGTH} characters)`,
    };
  }
  const role = roleOf(claimAt(claims, mapping.roleClaim), mapping);
  if (role === undefined) {
    return {
      ok: false,
      missing: 'role',
      reason: `invalid claims: ${mapping.roleClaim} (no role of this API: ${Object.keys(mapping.roles).join(', ')})`,
    };
  }
  if (role !== 'unit') return { ok: true, principal: { subject, role, unitId: null } };
  const unitId = claimAt(claims, mapping.unitClaim);
  if (typeof unitId !== 'string' || !UNIT_ID.test(unitId)) {
    return {
      ok: false,
      missing: 'unit',
      reason: `invalid claims: ${mapping.unitClaim} (a unit's token needs its unit id)`,
    };
  }
  return { ok: true, principal: { subject, role, unitId } };
}
