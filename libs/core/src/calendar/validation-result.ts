/**
 * The outcome of validating configuration data (a calendar, a rule profile): the typed value, or
 * every problem found, so an operator fixes a file in one pass instead of one error at a time.
 */
import type { z } from 'zod';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** `rules.3.limit.unit` → `rules[3].limit.unit`; the root is `(root)`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

/** One line per zod issue, each prefixed with its path (below `prefix`, if given). */
export function describeIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.map(
    (issue) => `${formatIssuePath([...prefix, ...issue.path])}: ${issue.message}`,
  );
}
