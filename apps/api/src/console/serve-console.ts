/**
 * The console's static files (apps/console built by Vite into dist/console) at `/console`, below
 * Nest's routes and guards: they hold no data (every figure comes from the API with a token).
 * Pages live in the address's fragment, so `/console/` is the one HTML document.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';

/** From apps/api/src/console (ts-node) or dist/apps/api/src/console (compiled). */
const CANDIDATES = [
  resolve(__dirname, '../../../../dist/console'),
  resolve(__dirname, '../../../../console'),
];

export function consoleDirectory(): string | null {
  return CANDIDATES.find((dir) => existsSync(resolve(dir, 'index.html'))) ?? null;
}

export function serveConsole(app: NestExpressApplication): void {
  const dir = consoleDirectory();
  if (dir === null) {
    app.use('/console', (_req: Request, res: Response) => {
      res
        .status(404)
        .type('text/plain; charset=utf-8')
        .send('督办台未构建：npm run console:build (the console is not built)');
    });
    return;
  }
  app.useStaticAssets(dir, { prefix: '/console', index: 'index.html', redirect: true });
}
