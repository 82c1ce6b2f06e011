/**
 * The console's sign-in through the street's identity provider (统一身份认证), in a real headless
 * chromium (Debian's, driven by playwright-core) against the real API and a fresh PostgreSQL
 * database: a local HTTP server plays the provider (discovery, JWKS, an authorization endpoint
 * that signs the person in at once, a token endpoint checking the PKCE verifier), the console
 * makes the state, nonce and S256 challenge in the page, and the API exchanges the code.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  LocalIdentityProvider,
  createFreshDatabase,
  signingKey,
  startWorker,
  waitFor,
  type FreshDatabase,
  type WorkerProcess,
} from '@hotline/testing';

const ROOT = resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = randomBytes(32).toString('hex');
const CLIENT_ID = 'hotline-console';
const AUDIENCE = 'hotline-api';

jest.setTimeout(60_000);

describe('signing in to the console through the identity provider', () => {
  // A public client: PKCE alone proves the console asked for the code.
  const idp = new LocalIdentityProvider({ clientId: CLIENT_ID, audience: AUDIENCE });
  let db: FreshDatabase;
  let api: WorkerProcess;
  let browser: Browser;
  let base = '';

  async function signInPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    return page;
  }

  const tokenInTab = (page: Page) =>
    page.evaluate<string | null>(`sessionStorage.getItem('hotline.console.token')`);

  beforeAll(async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    execFileSync('bash', [join(ROOT, 'scripts/console-build.sh')], { stdio: 'inherit' });
    idp.published = [await signingKey('rsa-1', 'RS256')];
    idp.person = {
      sub: '5b0e-41c2',
      preferred_username: 'wang.supervisor',
      realm_access: { roles: ['offline_access', 'hotline-supervisor'] },
    };
    await idp.listen();
    db = await createFreshDatabase('console_sign_in');
    api = await startWorker(
      {
        DATABASE_URL: db.url,
        JWT_SECRET: SECRET,
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_SUBJECT_CLAIM: 'preferred_username',
        OIDC_ROLE_CLAIM: 'realm_access.roles',
        OIDC_ROLE_MAP: 'hotline-leader=leader,hotline-supervisor=supervisor,hotline-unit=unit',
        OIDC_CLIENT_ID: CLIENT_ID,
      },
      'api',
    );
    base = `http://127.0.0.1:${api.port}`;
    await waitFor(`the API\n${api.output()}`, async () =>
      (await fetch(`${base}/health`)).ok ? true : undefined,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await db?.drop();
    await idp.close();
  });

  beforeEach(() => {
    idp.denial = null;
  });

  it('signs a supervisor in with one click and shows the inbox, with no code left in the address', async () => {
    const page = await signInPage();
    const tokenRequests = idp.tokenRequests;
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await page.getByRole('heading', { name: '督办台' }).waitFor();
    // The role and subject come from the provider's claims, mapped by the API.
    await page.getByText('督查室 · wang.supervisor').waitFor();
    expect(page.url()).toBe(`${base}/console/#/inbox`);
    expect(idp.tokenRequests).toBe(tokenRequests + 1);
    // The token is kept like a pasted one, and it is the provider's access token.
    const token = await tokenInTab(page);
    const session = await fetch(`${base}/session`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await session.json()).toEqual({
      subject: 'wang.supervisor',
      role: 'supervisor',
      unitId: null,
    });
    // Back goes to the sign-in page as it was, not to an address holding the code.
    await page.goBack();
    expect(page.url()).not.toContain('code=');
    await page.context().close();
  });

  it('goes back to the sign-in card once the API refuses the token (expired, say)', async () => {
    const page = await signInPage();
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await page.getByText('督查室 · wang.supervisor').waitFor();
    await page.evaluate(`sessionStorage.setItem('hotline.console.token', 'expired.token.value')`);
    await page.getByRole('link', { name: '工单' }).click();
    await page.getByText('登录已失效（令牌过期或被拒绝），请重新登录。').waitFor();
    await page.getByRole('button', { name: '统一身份认证登录' }).waitFor();
    expect(await tokenInTab(page)).toBeNull();
    await page.context().close();
  });

  it('says so on the sign-in card when the provider answers access_denied', async () => {
    idp.denial = 'access_denied';
    const page = await signInPage();
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await page.getByText(/统一身份认证登录失败：已取消登录.*access_denied/).waitFor();
    expect(page.url()).not.toContain('error=');
    expect(await tokenInTab(page)).toBeNull();
    // The pasted token stays available beside the button.
    await page.getByRole('textbox', { name: '访问令牌（Bearer token）' }).waitFor();
    await page.context().close();
  });

  it('refuses a code it did not ask for (a forged state) without asking the provider', async () => {
    const tokenRequests = idp.tokenRequests;
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/console/?code=planted-code&state=forged-state`);
    await page.getByText(/登录状态校验未通过（state 不符）/).waitFor();
    expect(page.url()).not.toContain('planted-code');
    expect(idp.tokenRequests).toBe(tokenRequests);
    await context.close();
  });
});
