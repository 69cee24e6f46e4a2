// The API contract committed as openapi.json: every route a server can mount (Slack's HTTP mode too).
// Describing a route does not run it, so its dependencies here are stand-ins that refuse to be used.
import type { AlertWebhook } from '../alerts/alert-webhook.js';
import type { IncidentService } from '../incident-service.js';
import { slackEventsRoute } from '../slack/events-route.js';
import { openApiDocument } from './openapi.js';
import type { Route } from './router.js';
import { serverRoutes } from './routes.js';
import { Authenticator } from '../identity/authenticator.js';
import type { TokenAdmin } from '../identity/token-admin.js';
import type { OidcLogin } from '../identity/oidc-login.js';
import { SessionCookies } from '../identity/sessions.js';

const unusable = (what: string) => new Error(`${what} is a stand-in: these routes only describe the API`);

export function contractRoutes(): Route[] {
  const service = new Proxy({} as IncidentService, {
    get: () => {
      throw unusable('The incident service');
    },
  });
  const alertWebhook: AlertWebhook = async () => {
    throw unusable('The alert webhook');
  };
  const slackReceiver = {
    handle: async () => {
      throw unusable('The Slack receiver');
    },
  };
  return serverRoutes({
    service,
    alertWebhook,
    alertAccess: { loopbackOnly: true },
    ticketSecrets: {},
    slackRoutes: [slackEventsRoute(slackReceiver)],
    statusPage: { publicUrl: 'http://127.0.0.1:3000' },
    console: {
      csrfToken: '',
      auth: new Authenticator({ tokensAreASource: false }),
      signIn: true,
      namespace: 'default',
    },
    login: {
      flow: new Proxy({} as OidcLogin, {
        get: () => {
          throw unusable('The sign-in');
        },
      }),
      sessions: new SessionCookies(undefined, true),
    },
    tokens: new Proxy({} as TokenAdmin, {
      get: () => {
        throw unusable('The token administration');
      },
    }),
  });
}

/** openapi.json as `npm run openapi` writes it. */
export function openApiJson(): string {
  return JSON.stringify(openApiDocument(contractRoutes()), null, 2) + '\n';
}
