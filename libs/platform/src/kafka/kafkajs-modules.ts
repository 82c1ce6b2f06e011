/**
 * kafkajs's internal modules, and replacing one in Node's module cache before kafkajs first loads
 * it: kafkajs has no hook for its record codecs, and the worker's record decoder and encoder
 * (record-decoder.ts, record-encoder.ts) go in this way. A replacement is made only for the
 * kafkajs version it was checked against; otherwise kafkajs's own module stays, and the caller
 * reports why.
 */
import Module from 'node:module';

/** The kafkajs version the replacements reproduce, field for field and byte for byte. */
export const REPLACED_KAFKAJS_VERSION = '2.2.4';

export type KafkajsModuleStatus =
  /** kafkajs uses the replacement. */
  | 'installed'
  /** Another kafkajs version: its own module stays. */
  | 'other-kafkajs-version'
  /** kafkajs had already loaded the module that takes it, which holds its own. */
  | 'loaded-before'
  /** The module cache cannot be written (a test runner's own registry): kafkajs's stays. */
  | 'not-replaceable';

export function kafkajsPath(inside: string): string {
  return require.resolve(`kafkajs/src/${inside}`);
}

/** A kafkajs module as loaded here (kafkajs's own unless replaced). */
export function kafkajsModule(inside: string): unknown {
  return module.require(kafkajsPath(inside));
}

/**
 * Puts `replacement` in the module cache as kafkajs's module `inside`, unless `takenBy` (the
 * kafkajs module that requires it at its own load) is loaded already; idempotent. `beforehand`
 * runs just before the cache is written (to keep kafkajs's own module, say).
 */
export function replaceKafkajsModule(
  inside: string,
  replacement: unknown,
  takenBy: string,
  beforehand: () => void = () => undefined,
): KafkajsModuleStatus {
  const { version } = module.require('kafkajs/package.json') as { version: string };
  if (version !== REPLACED_KAFKAJS_VERSION) return 'other-kafkajs-version';
  const path = kafkajsPath(inside);
  if (require.cache[path]?.exports === replacement) return 'installed';
  if (require.cache[kafkajsPath(takenBy)] !== undefined) return 'loaded-before';
  beforehand();
  cacheModule(path, replacement);
  return require.cache[path]?.exports === replacement ? 'installed' : 'not-replaceable';
}

/** Puts a loaded module exporting `exports` in Node's module cache under `path`. */
export function cacheModule(path: string, exports: unknown): void {
  const cached = new Module(path, module);
  cached.filename = path;
  cached.loaded = true;
  cached.exports = exports;
  require.cache[path] = cached;
}
