import { ConfigError, loadConfig } from './app-config';

describe('the watermark settings', () => {
  it('default to a minute of lateness, 100 events, live within 10 minutes, idle after 5', () => {
    expect(loadConfig({}).supervision.watermark).toEqual({
      latenessMs: 60_000,
      windowEvents: 100,
      liveWithinMs: 600_000,
      idleAfterMs: 300_000,
    });
  });

  it('are read from WATERMARK_*', () => {
    const config = loadConfig({
      WATERMARK_LATENESS_MS: '0',
      WATERMARK_WINDOW_EVENTS: '20',
      WATERMARK_LIVE_WITHIN_MS: '0',
      WATERMARK_IDLE_MS: '1500',
    });
    expect(config.supervision.watermark).toEqual({
      latenessMs: 0,
      windowEvents: 20,
      liveWithinMs: 0,
      idleAfterMs: 1500,
    });
  });

  it('list every invalid one at once', () => {
    const invalid = () =>
      loadConfig({
        WATERMARK_LATENESS_MS: '-1',
        WATERMARK_WINDOW_EVENTS: '0',
        WATERMARK_LIVE_WITHIN_MS: 'soon',
        WATERMARK_IDLE_MS: '0',
      });
    expect(invalid).toThrow(ConfigError);
    try {
      invalid();
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'WATERMARK_LATENESS_MS',
        'WATERMARK_WINDOW_EVENTS',
        'WATERMARK_LIVE_WITHIN_MS',
        'WATERMARK_IDLE_MS',
      ]);
    }
  });
});
