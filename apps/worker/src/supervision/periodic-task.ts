import type { Logger } from '@hotline/platform';

/**
 * Runs `step` over and over: immediately again while it reports more work, after `idleMs` when
 * it reports none, with backoff after a failure. Never two steps at once; `stop` waits for the
 * step in flight. No timer per order: one loop per task.
 */
export class PeriodicTask {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<boolean>,
    private readonly idleMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.run();
    }, delayMs);
  }

  private async run(): Promise<void> {
    let more = false;
    try {
      more = await this.step();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.logger.warn(
        { err: error, task: this.name, failures: this.failures },
        'periodic task failed',
      );
    }
    const backoff = this.failures > 0 ? Math.min(250 * 2 ** Math.min(this.failures, 5), 5000) : 0;
    this.schedule(backoff > 0 ? backoff : more ? 0 : this.idleMs);
  }
}
