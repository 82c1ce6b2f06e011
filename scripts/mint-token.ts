/**
 * `npm run token -- --role supervisor [--unit teda-enforcement] [--sub name] [--hours 8]`: prints
 * an HS256 bearer token for the API, signed with the configured JWT_SECRET (or the development
 * secret when it is unset outside production). For local use; real tokens come from the IdP.
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
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) fail('--hours must be in (0, 720]');

const config = loadConfig();
if (config.auth.usingDevelopmentSecret) {
  process.stderr.write('note: JWT_SECRET is not set; signed with the development secret\n');
}
const token = signAccessToken(
  {
    subject: values.sub ?? `local-${role}`,
    role,
    ...(values.unit ? { unitId: values.unit } : {}),
    ttlSeconds: Math.round(hours * 3600),
    now: new Date(),
  },
  requireJwtSecret(config),
);
process.stdout.write(`${token}\n`);
