import { ConfigError, loadConfig } from './app-config';

describe('the API settings', () => {
  it('default to the years 2000–2100, 1,200 requests a minute per token and 2,400 per address, an access log', () => {
    expect(loadConfig({}).api).toEqual({
      yearSpan: { fromYear: 2000, toYear: 2100 },
      rateLimit: { windowMs: 60_000, perToken: 1200, perAddress: 2400 },
      trustedProxies: 0,
      accessLog: true,
    });
  });

  it('are read from API_*; a limit of 0 is off', () => {
    const config = loadConfig({
      API_YEAR_MIN: '2010',
      API_YEAR_MAX: '2010',
      API_RATE_LIMIT_WINDOW_MS: '1000',
      API_RATE_LIMIT_PER_TOKEN: '0',
      API_RATE_LIMIT_PER_ADDRESS: '5',
      API_TRUSTED_PROXIES: '1',
      API_ACCESS_LOG: 'false',
    });
    expect(config.api).toEqual({
      yearSpan: { fromYear: 2010, toYear: 2010 },
      rateLimit: { windowMs: 1000, perToken: 0, perAddress: 5 },
      trustedProxies: 1,
      accessLog: false,
    });
  });

  it.each([
    [{ API_YEAR_MIN: '2050', API_YEAR_MAX: '2040' }, 'API_YEAR_MAX'],
    [{ API_YEAR_MIN: '0' }, 'API_YEAR_MIN'],
    [{ API_YEAR_MAX: '10000' }, 'API_YEAR_MAX'],
    [{ API_RATE_LIMIT_WINDOW_MS: '0' }, 'API_RATE_LIMIT_WINDOW_MS'],
    [{ API_RATE_LIMIT_PER_TOKEN: '-1' }, 'API_RATE_LIMIT_PER_TOKEN'],
    [{ API_ACCESS_LOG: 'yes' }, 'API_ACCESS_LOG'],
  ])('refuse %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([variable]);
    }
  });
});
