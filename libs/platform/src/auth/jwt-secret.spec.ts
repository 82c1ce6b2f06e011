import {
  ConfigError,
  DEVELOPMENT_JWT_SECRET,
  loadConfig,
  requireJwtSecret,
} from '../config/app-config';

describe('JWT_SECRET configuration', () => {
  it('falls back to the labelled development secret outside production', () => {
    expect(loadConfig({}).auth).toEqual({
      jwtSecret: DEVELOPMENT_JWT_SECRET,
      usingDevelopmentSecret: true,
    });
  });

  it('is required in production by the roles that need it, and the development secret is refused there', () => {
    const unset = loadConfig({ NODE_ENV: 'production' });
    expect(unset.auth).toEqual({ jwtSecret: null, usingDevelopmentSecret: false });
    expect(() => requireJwtSecret(unset)).toThrow(/JWT_SECRET: required/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET }),
    ).toThrow(ConfigError);
    const secret = 'p'.repeat(32);
    const set = loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret });
    expect(set.auth).toEqual({ jwtSecret: secret, usingDevelopmentSecret: false });
    expect(requireJwtSecret(set)).toBe(secret);
  });

  it('refuses a secret shorter than 32 characters, listed with the other problems', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short', API_PORT: 'x' })).toThrow(
      /API_PORT[\s\S]*JWT_SECRET|JWT_SECRET[\s\S]*API_PORT/,
    );
  });
});
