/**
 * `npm run token -- --role supervisor [--unit teda-enforcement] [--sub name] [--hours 8]`: prints
 * an HS256 bearer token for the API, signed with the configured JWT_SECRET (or the development
 * secret when it is unset outside production), with jose. For local use; people's tokens come from
 * the identity provider.
 */
import { parseArgs } from 'node:util';
import { ROLES, loadConfig, requireJwtSecret, signAccessToken, type Role } from '@hotline/platform';

function fail(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run token -- --role leader|supervisor|unit [--unit UNIT_ID] [--sub NAME] [--hours H]\n`,
  );
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    unit: { type: 'string' },
    sub: { type: 'string' },
    hours: { type: 'string', default: '8' },
  },
});
const role = values.role as Role | undefined;
if (role === undefined || !ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
if (role === 'unit' && !values.unit) fail('a unit token needs --unit');
if (role !== 'unit' && values.unit) fail('--unit is only for --role unit');
const config = loadConfig();
// The API refuses a token living longer than TOKEN_MAX_LIFETIME_SECONDS: do not mint one.
const maxHours = config.auth.maxTokenLifetimeSeconds / 3600;
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > maxHours) {
  fail(`--hours must be in (0, ${maxHours}] (TOKEN_MAX_LIFETIME_SECONDS)`);
}
if (config.auth.usingDevelopmentSecret) {
  process.stderr.write('note: JWT_SECRET is not set; signed with the development secret\n');
}

async function main(): Promise<void> {
  const token = await signAccessToken(
    {
      subject: values.sub ?? `local-${role}`,
      role: role as Role,
      ...(values.unit ? { unitId: values.unit } : {}),
      ttlSeconds: Math.round(hours * 3600),
      now: new Date(),
    },
    requireJwtSecret(config),
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
