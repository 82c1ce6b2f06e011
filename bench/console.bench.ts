/**
 * The console's first page in a real browser (Debian's chromium) against the real worker, API,
 * broker and database (the browser tests' scenario, test/console-scenario.ts): five cold loads of
 * a supervisor's inbox, each timed in the page from navigation to its first escalations on
 * screen, beside the budget (1.5 s usable, 400 KB of gzipped JavaScript). How fast a page renders
 * is a figure of the machine's CPU, so it is measured here and not asserted by a test.
 *
 *   npm run bench:console      (BENCH_LOADS=5)
 */
import { writeResult } from './bench-result';
import {
  FIRST_PAGE_BUDGET,
  firstPageLoads,
  startConsoleScenario,
  type ConsoleScenario,
} from '../test/console-scenario';

const LOADS = Number(process.env.BENCH_LOADS ?? 5);

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  let scenario: ConsoleScenario | undefined;
  try {
    scenario = await startConsoleScenario();
    const loads = await firstPageLoads(scenario, LOADS);
    const usable = loads.map((l) => l.usableMs).sort((a, b) => a - b);
    const quickestMs = usable[0]!;
    const medianMs = usable[Math.floor(usable.length / 2)]!;
    const jsBytes = Math.max(...loads.map((l) => l.jsBytes));
    const results = {
      loads: LOADS,
      firstPage: {
        quickestMs: Math.round(quickestMs),
        medianMs: Math.round(medianMs),
        usableMs: usable.map(Math.round),
        jsGzipBytes: jsBytes,
        budget: FIRST_PAGE_BUDGET,
        met: quickestMs <= FIRST_PAGE_BUDGET.usableMs && jsBytes <= FIRST_PAGE_BUDGET.jsGzipBytes,
      },
    };
    out('');
    out('| measure | figure | budget | |');
    out('|---|---:|---:|---|');
    out(
      `| console first page usable (${LOADS} cold loads) | quickest ${results.firstPage.quickestMs} ms, median ${results.firstPage.medianMs} ms | ${FIRST_PAGE_BUDGET.usableMs} ms | ${quickestMs <= FIRST_PAGE_BUDGET.usableMs ? 'met' : 'MISSED'} |`,
    );
    out(
      `| its JavaScript, gzipped | ${Math.round(jsBytes / 1024)} KB | ${FIRST_PAGE_BUDGET.jsGzipBytes / 1024} KB | ${jsBytes <= FIRST_PAGE_BUDGET.jsGzipBytes ? 'met' : 'MISSED'} |`,
    );
    out(`\nwritten ${writeResult('console', results)}`);
  } finally {
    await scenario?.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
