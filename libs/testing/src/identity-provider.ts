/**
 * A local HTTP server playing the street's OpenID Connect identity provider for the tests: the
 * discovery document, a key set the test can rotate or break, an authorization endpoint that signs
 * the person in at once (a 302 back to the redirect URI with a code and the state, or with an
 * error) and a token endpoint that redeems each code once, against the client, the redirect URI
 * and the PKCE verifier (RFC 7636, S256), issuing RS256 tokens. Keys are generated with jose.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload, type KeyLike } from 'jose';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}

export async function signingKey(kid: string, alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

/** The console's client as registered at the provider. */
export interface ProviderClient {
  clientId: string;
  /** Set: a confidential client, which must send it (client_secret_post). */
  clientSecret?: string;
  /** The `aud` of the access tokens the provider issues (the API). */
  audience: string;
}

interface IssuedCode {
  redirectUri: string;
  challenge: string;
  nonce: string | null;
  used: boolean;
}

const REALM = '/realms/street';
const TOKEN_LIFETIME_SECONDS = 300;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

export class LocalIdentityProvider {
  /** The keys the JWKS publishes; tokens are signed with the first RS256 one. */
  published: SigningKey[] = [];
  /** While true the key set answers 500, as a provider being redeployed does. */
  failing = false;
  /** While true the token endpoint drops the connection: the provider cannot be reached. */
  tokenEndpointDown = false;
  /** While true the access tokens are opaque strings (not JWTs); the ID token is a JWT. */
  opaqueAccessTokens = false;
  /** Set: the authorization endpoint sends this error back (`access_denied`) instead of a code. */
  denial: string | null = null;
  /** The claims of the person who signs in (subject, roles, unit), in every token issued. */
  person: JWTPayload = {};
  jwksRequests = 0;
  discoveryRequests = 0;
  tokenRequests = 0;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      answerJson(res, 500, { error: 'server_error', error_description: String(error) });
    });
  });

  constructor(readonly client: ProviderClient) {}

  get issuer(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${REALM}`;
  }

  get authorizationEndpoint(): string {
    return `${this.issuer}/protocol/openid-connect/auth`;
  }

  get tokenEndpoint(): string {
    return `${this.issuer}/protocol/openid-connect/token`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    if (url.pathname === `${REALM}/.well-known/openid-configuration`) {
      this.discoveryRequests += 1;
      answerJson(res, 200, {
        issuer: this.issuer,
        jwks_uri: `${this.issuer}/protocol/certs`,
        authorization_endpoint: this.authorizationEndpoint,
        token_endpoint: this.tokenEndpoint,
        code_challenge_methods_supported: ['S256'],
      });
    } else if (url.pathname === `${REALM}/protocol/certs`) {
      this.jwksRequests += 1;
      if (this.failing) answerJson(res, 500, {});
      else answerJson(res, 200, { keys: this.published.map((k) => k.jwk) });
    } else if (url.pathname === new URL(this.authorizationEndpoint).pathname) {
      this.authorize(url.searchParams, res);
    } else if (url.pathname === new URL(this.tokenEndpoint).pathname && req.method === 'POST') {
      this.tokenRequests += 1;
      if (this.tokenEndpointDown) {
        req.socket.destroy();
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      const answer = await this.redeem(form);
      answerJson(
        res,
        'error' in answer ? (answer.error === 'invalid_client' ? 401 : 400) : 200,
        answer,
      );
    } else {
      res.statusCode = 404;
      res.end();
    }
  }

  /** Signs the person in at once and sends the browser back with a code (or the denial). */
  private authorize(query: URLSearchParams, res: ServerResponse): void {
    const redirectUri = query.get('redirect_uri');
    const challenge = query.get('code_challenge');
    if (
      query.get('client_id') !== this.client.clientId ||
      redirectUri === null ||
      query.get('response_type') !== 'code' ||
      query.get('code_challenge_method') !== 'S256' ||
      challenge === null ||
      !(query.get('scope') ?? '').split(' ').includes('openid')
    ) {
      res.statusCode = 400;
      res.end('invalid authorization request');
      return;
    }
    const back = new URL(redirectUri);
    if (this.denial !== null) {
      back.searchParams.set('error', this.denial);
    } else {
      const code = randomBytes(24).toString('base64url');
      this.codes.set(code, { redirectUri, challenge, nonce: query.get('nonce'), used: false });
      back.searchParams.set('code', code);
    }
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.statusCode = 302;
    res.setHeader('location', back.href);
    res.end();
  }

  /** RFC 6749 §4.1.3 and RFC 7636 §4.6: one use per code, the same client and redirect URI. */
  private async redeem(form: URLSearchParams): Promise<object> {
    if (form.get('grant_type') !== 'authorization_code') {
      return { error: 'unsupported_grant_type' };
    }
    if (
      form.get('client_id') !== this.client.clientId ||
      (this.client.clientSecret !== undefined &&
        form.get('client_secret') !== this.client.clientSecret)
    ) {
      return { error: 'invalid_client' };
    }
    const issued = this.codes.get(form.get('code') ?? '');
    if (issued === undefined || issued.used) {
      return { error: 'invalid_grant', error_description: 'Code not valid' };
    }
    issued.used = true;
    if (form.get('redirect_uri') !== issued.redirectUri) {
      return { error: 'invalid_grant', error_description: 'Incorrect redirect_uri' };
    }
    if (sha256(form.get('code_verifier') ?? '') !== issued.challenge) {
      return { error: 'invalid_grant', error_description: 'PKCE verification failed' };
    }
    const key = this.published.find((k) => k.alg === 'RS256');
    if (key === undefined) throw new Error('the provider publishes no RS256 key');
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: JWTPayload) =>
      new SignJWT({
        iss: this.issuer,
        iat: now,
        exp: now + TOKEN_LIFETIME_SECONDS,
        azp: this.client.clientId,
        ...this.person,
        ...claims,
      })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .sign(key.privateKey);
    return {
      access_token: this.opaqueAccessTokens
        ? randomBytes(32).toString('base64url')
        : await sign({ aud: this.client.audience }),
      id_token: await sign({ aud: this.client.clientId, nonce: issued.nonce ?? undefined }),
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
    };
  }
}
