import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  ConfigError,
  DEVELOPMENT_JWT_SECRET,
  loadConfig,
  requireJwtSecret,
} from '../config/app-config';

describe('JWT_SECRET configuration', () => {
  it('falls back to the labelled development secret outside production', () => {
    expect(loadConfig({}).auth).toMatchObject({
      jwtSecret: DEVELOPMENT_JWT_SECRET,
      usingDevelopmentSecret: true,
    });
  });

  it('is required in production by the roles that need it, and the development secret is refused there', () => {
    const unset = loadConfig({ NODE_ENV: 'production' });
    expect(unset.auth).toMatchObject({ jwtSecret: null, usingDevelopmentSecret: false });
    expect(() => requireJwtSecret(unset)).toThrow(/JWT_SECRET: required/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET }),
    ).toThrow(ConfigError);
    const secret = 'p'.repeat(32);
    const set = loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret });
    expect(set.auth).toMatchObject({ jwtSecret: secret, usingDevelopmentSecret: false });
    expect(requireJwtSecret(set)).toBe(secret);
  });

  it('refuses a secret shorter than 32 characters, listed with the other problems', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short', API_PORT: 'x' })).toThrow(
      /API_PORT[\s\S]*JWT_SECRET|JWT_SECRET[\s\S]*API_PORT/,
    );
  });
});

describe('token lifetime and identity provider configuration', () => {
  it('caps tokens at 12 h with 30 s of clock tolerance and accepts local tokens only by default', () => {
    expect(loadConfig({}).auth).toMatchObject({
      clockToleranceSeconds: 30,
      maxTokenLifetimeSeconds: 43_200,
      identityProvider: null,
    });
  });

  it('reads the provider, its audiences, algorithms and claim mapping', () => {
    const auth = loadConfig({
      OIDC_ISSUER: 'https://sso.teda.gov.cn/realms/street',
      OIDC_AUDIENCE: 'hotline-api, hotline-console',
      OIDC_ALGORITHMS: 'ES256',
      OIDC_SUBJECT_CLAIM: 'preferred_username',
      OIDC_ROLE_CLAIM: 'realm_access.roles',
      OIDC_UNIT_CLAIM: 'unit',
      OIDC_ROLE_MAP: 'hotline-leader=leader, 督办员=supervisor,hotline-unit=unit',
      TOKEN_MAX_LIFETIME_SECONDS: '3600',
    }).auth;
    expect(auth.maxTokenLifetimeSeconds).toBe(3600);
    expect(auth.identityProvider).toEqual({
      issuer: 'https://sso.teda.gov.cn/realms/street',
      audience: ['hotline-api', 'hotline-console'],
      jwksUrl: null,
      algorithms: ['ES256'],
      jwksCooldownSeconds: 30,
      claims: {
        subjectClaim: 'preferred_username',
        roleClaim: 'realm_access.roles',
        unitClaim: 'unit',
        roles: { 'hotline-leader': 'leader', 督办员: 'supervisor', 'hotline-unit': 'unit' },
      },
      client: null,
    });
  });

  it.each([
    ['an issuer without an audience', { OIDC_ISSUER: 'https://idp.example' }, 'OIDC_AUDIENCE'],
    [
      'a symmetric or unknown algorithm',
      { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'a', OIDC_ALGORITHMS: 'RS256,HS256' },
      'OIDC_ALGORITHMS',
    ],
    [
      'a role map naming no role of the project',
      { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'a', OIDC_ROLE_MAP: 'boss=admin' },
      '"boss=admin" is not <value>=leader|supervisor|unit',
    ],
    [
      'plain HTTP for the provider in production',
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'p'.repeat(32),
        OIDC_ISSUER: 'http://idp.example',
        OIDC_AUDIENCE: 'a',
        OIDC_JWKS_URL: 'http://idp.example/jwks',
      },
      /OIDC_ISSUER: must be https[\s\S]*OIDC_JWKS_URL: must be https/,
    ],
    ['a zero lifetime cap', { TOKEN_MAX_LIFETIME_SECONDS: '0' }, 'TOKEN_MAX_LIFETIME_SECONDS'],
  ])('refuses %s', (_what, env, problem) => {
    expect(() => loadConfig(env)).toThrow(problem);
  });
});

describe("the console's client at the identity provider", () => {
  const PROVIDER = { OIDC_ISSUER: 'https://sso.teda.gov.cn/realms/street', OIDC_AUDIENCE: 'a' };
  const secretFile = join(mkdtempSync(join(tmpdir(), 'oidc-client-')), 'secret');
  writeFileSync(secretFile, 'a-client-secret-from-a-file\n');

  it.each([
    ['no client without OIDC_CLIENT_ID', PROVIDER, null],
    [
      'a public client asking for openid and profile by default',
      { ...PROVIDER, OIDC_CLIENT_ID: 'hotline-console' },
      { clientId: 'hotline-console', clientSecret: null, scopes: ['openid', 'profile'] },
    ],
    [
      'the scopes space- or comma-separated, each once',
      { ...PROVIDER, OIDC_CLIENT_ID: 'c', OIDC_SCOPES: ' openid  roles,unit openid ' },
      { clientId: 'c', clientSecret: null, scopes: ['openid', 'roles', 'unit'] },
    ],
  ])('reads %s', (_what, env, client) => {
    expect(loadConfig(env).auth.identityProvider?.client).toEqual(client);
  });

  it.each([
    ['OIDC_CLIENT_SECRET', { OIDC_CLIENT_SECRET: 'a-client-secret-from-the-env' }, 'env'],
    ['OIDC_CLIENT_SECRET_FILE', { OIDC_CLIENT_SECRET_FILE: secretFile }, 'a-file'],
  ])('reads a confidential client secret from %s, shown as [secret]', (_what, env, tail) => {
    const client = loadConfig({ ...PROVIDER, OIDC_CLIENT_ID: 'c', ...env }).auth.identityProvider
      ?.client;
    expect(client?.clientSecret?.reveal()).toMatch(
      new RegExp(`^a-client-secret-from-(the-)?${tail}$`),
    );
    expect(JSON.stringify(client)).toContain('"clientSecret":"[secret]"');
    expect(inspect(client)).not.toContain('a-client-secret');
  });

  it.each([
    [
      'a client without an issuer',
      { OIDC_CLIENT_ID: 'hotline-console' },
      'OIDC_CLIENT_ID: needs OIDC_ISSUER: the identity provider the console signs in with',
    ],
    [
      'a secret without a client',
      { ...PROVIDER, OIDC_CLIENT_SECRET: 'a-client-secret' },
      'OIDC_CLIENT_SECRET: is set without OIDC_CLIENT_ID',
    ],
    [
      'a secret given twice',
      {
        ...PROVIDER,
        OIDC_CLIENT_ID: 'c',
        OIDC_CLIENT_SECRET: 'a-client-secret',
        OIDC_CLIENT_SECRET_FILE: secretFile,
      },
      'OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET and OIDC_CLIENT_SECRET_FILE are both set',
    ],
    [
      'an unreadable secret file',
      { ...PROVIDER, OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET_FILE: `${secretFile}.missing` },
      'OIDC_CLIENT_SECRET_FILE: cannot read the file: ENOENT',
    ],
    [
      'a scope with a quote',
      { ...PROVIDER, OIDC_CLIENT_ID: 'c', OIDC_SCOPES: 'openid "x"' },
      'OIDC_SCOPES: "\\"x\\"" is not a scope',
    ],
    ['no scope at all', { ...PROVIDER, OIDC_CLIENT_ID: 'c', OIDC_SCOPES: ' , ' }, 'names no scope'],
    [
      'a client id with a line break',
      { ...PROVIDER, OIDC_CLIENT_ID: 'c\nd' },
      'OIDC_CLIENT_ID: printable ASCII',
    ],
  ])('refuses %s', (_what, env, problem) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(problem);
  });

  it('never prints the secret in a problem', () => {
    expect(() => loadConfig({ OIDC_CLIENT_SECRET: 'a-client-secret-never-printed' })).toThrow(
      /^(?![\s\S]*a-client-secret-never-printed)[\s\S]*OIDC_CLIENT_SECRET/,
    );
  });
});
