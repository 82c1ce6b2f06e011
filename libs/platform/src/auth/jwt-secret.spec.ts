import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from '../config/app-config';

describe('JWT_SECRET configuration', () => {
  it('falls back to the labelled development secret outside production', () => {
    expect(loadConfig({}).auth).toEqual({
      jwtSecret: DEVELOPMENT_JWT_SECRET,
      usingDevelopmentSecret: true,
    });
  });

  it('is required in production, and the development secret is refused there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET }),
    ).toThrow(ConfigError);
    const secret = 'p'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).auth).toEqual({
      jwtSecret: secret,
      usingDevelopmentSecret: false,
    });
  });

  it('refuses a secret shorter than 32 characters, listed with the other problems', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short', API_PORT: 'x' })).toThrow(
      /API_PORT[\s\S]*JWT_SECRET|JWT_SECRET[\s\S]*API_PORT/,
    );
  });
});
