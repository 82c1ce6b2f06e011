/**
 * Secrets in the configuration: any setting listed here may be given as `NAME` or as `NAME_FILE`
 * (the Docker and Kubernetes secrets convention: the path of a file holding the value). The values
 * never reach logs, /health or error messages: problems name the setting, never the value, and a
 * value kept in the configuration is wrapped in {@link Secret}, which serializes as `[secret]`.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

/**
 * The settings that may come from a file. A new secret (a notifier channel's key, say) only needs
 * its name added here: `<NAME>_FILE` is then accepted, checked and read like the others.
 */
export const SECRET_SETTINGS = [
  'JWT_SECRET',
  /** May carry the database password in its user-info part. */
  'DATABASE_URL',
  'DATABASE_PASSWORD',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_TLS_KEY_PASSWORD',
  /** The console's client secret at the identity provider. */
  'OIDC_CLIENT_SECRET',
] as const;

const REDACTED = '[secret]';

/** A secret value: `reveal()` hands it to the client library; everything else sees `[secret]`. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

export interface ResolvedSecrets {
  /** The environment with each `NAME_FILE` read into `NAME` (the `_FILE` entries stay). */
  env: Record<string, string | undefined>;
  /** One line per setting that could not be resolved, naming it and never its value. */
  problems: { setting: string; message: string }[];
  /** Every secret value found, so messages can be checked against them. */
  values: string[];
}

/**
 * Reads `NAME_FILE` for every name given. Both `NAME` and `NAME_FILE` set is an error (which one
 * wins would be a guess); an unreadable or empty file is an error. One trailing newline is dropped:
 * `echo secret > file` and editors add it, and no secret here ends in one.
 */
export function resolveSecretFiles(
  env: Record<string, string | undefined>,
  names: readonly string[] = SECRET_SETTINGS,
): ResolvedSecrets {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: ResolvedSecrets['problems'] = [];
  for (const name of names) {
    const fileSetting = `${name}_FILE`;
    const path = nonEmpty(env[fileSetting]);
    if (path === undefined) continue;
    if (nonEmpty(env[name]) !== undefined) {
      problems.push({
        setting: name,
        message: `${name} and ${fileSetting} are both set: give one of them`,
      });
      continue;
    }
    const read = readSecretFile(path);
    if (read.ok) resolved[name] = read.value;
    else problems.push({ setting: fileSetting, message: `${read.reason} (${path})` });
  }
  const values = names
    .map((name) => nonEmpty(resolved[name]))
    .filter((value): value is string => value !== undefined);
  return { env: resolved, problems, values };
}

function readSecretFile(path: string): { ok: true; value: string } | { ok: false; reason: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return { ok: false, reason: `cannot read the file: ${code}` };
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0) return { ok: false, reason: 'the file is empty' };
  return { ok: true, value };
}

/** Replaces every secret value inside `text` with `[secret]` (the last guard before output). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) redacted = redacted.split(secret).join(REDACTED);
  }
  return redacted;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
