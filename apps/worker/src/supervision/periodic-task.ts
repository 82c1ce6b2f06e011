import type { Logger } from '@hotline/platform';

/**
 * Runs `step` over and over: immediately again while it reports more work, after `idleMs` when
 * it reports none (or after the delay the step names, if shorter), with backoff after a failure.
 * `wake` runs it again at once, or right after the step in flight: another task has queued work
 * for it. Never two steps at once; `stop` waits for the step in flight. No timer per order: one
 * loop per task.
 */
export class PeriodicTask {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private woken = false;

  constructor(
    private readonly name: string,
    /** True: more work now; false: none; a number: look again in that many ms (≤ idleMs). */
    private readonly step: () => Promise<boolean | number>,
    private readonly idleMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Runs the step again as soon as possible (never two at once; a backoff after a failure stands). */
  wake(): void {
    if (!this.running || this.failures > 0) return;
    if (this.inFlight !== null) {
      this.woken = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
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
      this.timer = null;
      this.woken = false;
      this.inFlight = this.run().then((delay) => {
        this.inFlight = null;
        this.schedule(this.woken && this.failures === 0 ? 0 : delay);
      });
    }, delayMs);
  }

  /** One step; resolves to the delay before the next. */
  private async run(): Promise<number> {
    let more: boolean | number = false;
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
    if (this.failures > 0) return Math.min(250 * 2 ** Math.min(this.failures, 5), 5000);
    if (more === true) return 0;
    if (more === false) return this.idleMs;
    return Math.max(0, Math.min(this.idleMs, more));
  }
}
