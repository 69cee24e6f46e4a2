// The authorization-code flow as a browser walks it, over plain HTTP: the provider's login form
// (oidc-provider's development interactions: any password), its consent form, then the code for a
// token. Used where a test needs a person's real access token without a browser.
import { createHash, randomBytes } from 'node:crypto';

export async function loginAs(
  {
    issuer,
    clientId,
    clientSecret,
    redirectUri,
    resource,
  }: { issuer: string; clientId: string; clientSecret: string; redirectUri: string; resource: string },
  person: string,
): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const jar = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return response;
  };
  const form = (url: string, body: string) =>
    go(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const authorize = new URL(`${issuer}/auth`);
  for (const [k, v] of Object.entries({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid email groups',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'test',
    resource,
  })) {
    authorize.searchParams.set(k, v);
  }
  let response = await go(authorize.href);
  for (let hops = 0; hops < 10; hops++) {
    const location = response.headers.get('location');
    if (location?.startsWith(redirectUri)) {
      const code = new URL(location).searchParams.get('code')!;
      const token = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
          resource,
        }),
      });
      const answer = (await token.json()) as { access_token?: string; error?: string };
      if (!answer.access_token) throw new Error(`token endpoint: ${answer.error ?? token.status}`);
      return answer.access_token;
    }
    if (location) {
      response = await go(new URL(location, issuer).href);
      continue;
    }
    const html = await response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`the provider showed no form (HTTP ${response.status})`);
    response = html.includes('name="login"')
      ? await form(new URL(action, issuer).href, `prompt=login&login=${encodeURIComponent(person)}&password=any`)
      : await form(new URL(action, issuer).href, 'prompt=consent');
  }
  throw new Error('the sign-in did not come back to the redirect URI');
}
