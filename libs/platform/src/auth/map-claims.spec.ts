import { LOCAL_CLAIM_MAPPING, mapClaims, type ClaimMapping } from './map-claims';

/** A provider like Keycloak: roles under `realm_access.roles`, the unit in a namespaced claim. */
const KEYCLOAK: ClaimMapping = {
  subjectClaim: 'preferred_username',
  roleClaim: 'realm_access.roles',
  unitClaim: 'https://12345.teda.gov.cn/unit',
  roles: { 'hotline-leader': 'leader', 'hotline-supervisor': 'supervisor', 'hotline-unit': 'unit' },
};

describe('mapClaims', () => {
  it.each([
    [
      'a local supervisor',
      LOCAL_CLAIM_MAPPING,
      { sub: 'wang', role: 'supervisor', unitId: 'ignored' },
      { subject: 'wang', role: 'supervisor', unitId: null },
    ],
    [
      'a local unit with its unit id',
      LOCAL_CLAIM_MAPPING,
      { sub: 'li', role: 'unit', unitId: 'teda-enforcement' },
      { subject: 'li', role: 'unit', unitId: 'teda-enforcement' },
    ],
    [
      'a nested role array and a namespaced unit claim',
      KEYCLOAK,
      {
        preferred_username: 'zhao',
        realm_access: { roles: ['offline_access', 'hotline-unit'] },
        'https://12345.teda.gov.cn/unit': 'teda-community-1',
      },
      { subject: 'zhao', role: 'unit', unitId: 'teda-community-1' },
    ],
    [
      'the strongest of several mapped roles (leader over unit)',
      KEYCLOAK,
      { preferred_username: 'sun', realm_access: { roles: ['hotline-unit', 'hotline-leader'] } },
      { subject: 'sun', role: 'leader', unitId: null },
    ],
    [
      'a role given as one string',
      KEYCLOAK,
      { preferred_username: 'qian', realm_access: { roles: 'hotline-supervisor' } },
      { subject: 'qian', role: 'supervisor', unitId: null },
    ],
    [
      'a top-level claim whose name has dots, before any path',
      { ...KEYCLOAK, roleClaim: 'realm_access.roles' },
      {
        preferred_username: 'zhou',
        'realm_access.roles': ['hotline-leader'],
        realm_access: { roles: ['hotline-unit'] },
      },
      { subject: 'zhou', role: 'leader', unitId: null },
    ],
  ])('maps %s', (_what, mapping, claims, principal) => {
    expect(mapClaims(claims, mapping)).toEqual({ ok: true, principal });
  });

  it.each([
    ['no role claim', KEYCLOAK, { preferred_username: 'a' }, 'role', 'realm_access.roles'],
    [
      'only roles the mapping does not know',
      KEYCLOAK,
      { preferred_username: 'a', realm_access: { roles: ['admin', 'leader'] } },
      'role',
      'no role of this API: hotline-leader, hotline-supervisor, hotline-unit',
    ],
    [
      'a role value that is not a string',
      LOCAL_CLAIM_MAPPING,
      { sub: 'a', role: { name: 'leader' } },
      'role',
      'invalid claims: role',
    ],
    [
      'a unit without its unit id',
      KEYCLOAK,
      { preferred_username: 'a', realm_access: { roles: ['hotline-unit'] } },
      'unit',
      'https://12345.teda.gov.cn/unit',
    ],
    [
      'a unit id the API could not address',
      LOCAL_CLAIM_MAPPING,
      { sub: 'a', role: 'unit', unitId: '=HYPERLINK("x")' },
      'unit',
      'invalid claims: unitId',
    ],
    ['no subject', LOCAL_CLAIM_MAPPING, { role: 'leader' }, 'subject', 'invalid claims: sub'],
    [
      'an empty subject',
      KEYCLOAK,
      { preferred_username: '', realm_access: { roles: ['hotline-leader'] } },
      'subject',
      'preferred_username',
    ],
    [
      'a role inherited from the prototype',
      LOCAL_CLAIM_MAPPING,
      { sub: 'a', role: 'constructor' },
      'role',
      'invalid claims: role',
    ],
  ])('refuses %s', (_what, mapping, claims, missing, reason) => {
    const result = mapClaims(claims, mapping);
    expect(result).toMatchObject({ ok: false, missing });
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});
