/**
 * Object-level authorization (OWASP API1): a `unit` caller sees and acts on its own unit only;
 * `leader` and `supervisor` see every unit.
 */
import type { Principal } from '@hotline/platform';
import { ApiError } from '../errors/api-error';

/** The unit a caller is confined to, or null for every unit. */
export function unitScopeOf(principal: Principal): string | null {
  return principal.role === 'unit' ? principal.unitId : null;
}

/** Refuses a record of another unit (the caller already knows it exists: 403, not 404). */
export function assertInScope(principal: Principal, unitId: string | null, what: string): void {
  const scope = unitScopeOf(principal);
  if (scope !== null && unitId !== scope) {
    throw new ApiError('forbidden', `${what} belongs to another unit`);
  }
}

/** The unit filter of a list: a unit's own, whatever it asks; asking for another is 403. */
export function listUnitFilter(
  principal: Principal,
  requested: string | undefined,
): string | undefined {
  const scope = unitScopeOf(principal);
  if (scope === null) return requested;
  if (requested !== undefined && requested !== scope) {
    throw new ApiError('forbidden', `a unit token may list only its own unit (${scope})`);
  }
  return scope;
}
