// The OpenAPI 3.1 document of a server's routes, built from each route's docs and zod schemas
// (z.toJSONSchema writes JSON Schema 2020-12, the dialect OpenAPI 3.1 uses).
import { createRequire } from 'node:module';
import { z } from 'zod';
import { BURST, RATE_PER_SECOND } from '../request-rate.js';
import { MAX_BODY_BYTES } from './json.js';
import type { Credential, Route } from './router.js';

type Json = Record<string, unknown>;
interface JsonSchema extends Json {
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Json>>;
  components: Json;
}

export const OPENAPI_PATH = '/api/openapi.json';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** The body of every answer that is not 2xx (HttpError in json.ts). */
const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error', 'details'],
  properties: {
    error: { type: 'string', description: 'what went wrong, for a person' },
    details: {
      type: 'array',
      description: 'each problem, with the field it is about',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: {
            type: 'string',
            description: 'a body field (dotted path), a parameter or header, or (body), (state), (server), (url)',
          },
          message: { type: 'string' },
        },
      },
    },
  },
};

const SECURITY_SCHEMES: Record<'apiToken' | Credential, Json> = {
  apiToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A personal API token (irt_…), an OpenID Connect access token, or API_TOKEN (reads only, or typed writes on a loopback server with no identity source)',
  },
  alertToken: { type: 'http', scheme: 'bearer', description: 'ALERT_WEBHOOK_TOKEN' },
  alertBasic: { type: 'http', scheme: 'basic', description: 'any user name, with ALERT_WEBHOOK_TOKEN as the password' },
};

const error = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const answer = (description: string, types: string[]): Json => ({
  description,
  content: Object.fromEntries(types.map((type) => [type, {}])),
});

/** Answered by server.ts ahead of the router. */
const HEALTH_PATH = {
  get: {
    summary: 'Whether Temporal answers and the worker polls; no token needed',
    security: [],
    responses: {
      200: answer('`{status: "ok", temporal, worker}`', ['application/json']),
      503: answer('The same report, unhealthy', ['application/json']),
    },
  },
};

/** `/api/incidents/:id` → `/api/incidents/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]\w*)/g, '{$1}');
}

/** Throws for a route the document cannot describe: a POST without its body schema, or parameters its path lacks. */
export function openApiDocument(routes: Route[]): OpenApiDocument {
  const paths: Record<string, Record<string, Json>> = { '/healthz': HEALTH_PATH };
  for (const route of routes) {
    const path = openApiPath(route.path);
    const operations = (paths[path] ??= {});
    if (operations[route.method.toLowerCase()]) throw new Error(`${route.method} ${route.path} is routed twice`);
    operations[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AI incident response',
      version,
      description:
        'Durable incident response on Temporal: declare, command and approve incidents, and take alerts and ticket updates in.',
    },
    paths,
    components: { schemas: { Error: ERROR_SCHEMA }, securitySchemes: SECURITY_SCHEMES },
  };
}

/** `routes` and GET /api/openapi.json, which serves their document, its own entry included. */
export function withOpenApi(routes: Route[]): Route[] {
  let document: OpenApiDocument;
  const served: Route = {
    method: 'GET',
    path: OPENAPI_PATH,
    auth: 'reader',
    docs: { summary: 'This document', responses: { 200: 'The OpenAPI 3.1 document of the routes this server has' } },
    handle: async () => ({ status: 200, body: document }),
  };
  const all = [...routes, served];
  document = openApiDocument(all); // now, so that a route without its schemas fails at start-up
  return all;
}

function operation(route: Route): Json {
  const { docs } = route;
  const where = `${route.method} ${route.path}`;
  if (route.method === 'POST' && !docs.body) throw new Error(`${where} has no body schema: give its docs a body`);
  const credentials: ('apiToken' | Credential)[] = needsCredentials(route) ? ['apiToken'] : (docs.security ?? []);
  return {
    summary: docs.summary,
    ...(docs.description ? { description: docs.description } : {}),
    parameters: [...pathParameters(route), ...parameters('query', docs.query), ...parameters('header', docs.headers)],
    ...(docs.body
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              (docs.bodyTypes ?? ['application/json']).map((type) => [type, { schema: jsonSchema(docs.body!) }]),
            ),
          },
        }
      : {}),
    responses: responses(route),
    security: credentials.map((name) => ({ [name]: [] })),
  };
}

function pathParameters(route: Route): Json[] {
  const names = [...route.path.matchAll(/:([A-Za-z]\w*)/g)].map((m) => m[1]!);
  const described = route.docs.params ? (jsonSchema(route.docs.params).properties ?? {}) : {};
  const strays = Object.keys(described).filter((name) => !names.includes(name));
  if (strays.length)
    throw new Error(`${route.method} ${route.path} describes parameters its path does not have: ${strays.join(', ')}`);
  return names.map((name) => parameter(name, 'path', true, described[name] ?? { type: 'string' }));
}

function parameters(where: 'query' | 'header', object: z.ZodObject | undefined): Json[] {
  if (!object) return [];
  const { properties = {}, required = [] } = jsonSchema(object);
  return Object.entries(properties).map(([name, schema]) => parameter(name, where, required.includes(name), schema));
}

function parameter(
  name: string,
  where: 'path' | 'query' | 'header',
  required: boolean,
  { description, ...schema }: JsonSchema,
): Json {
  return { name, in: where, required, ...(description ? { description } : {}), schema };
}

function responses(route: Route): Json {
  const shared: Record<number, string> = {};
  if (route.method === 'POST' && !route.rawBody) shared[400] = 'Not JSON, or fields that fail validation (each named)';
  if (route.method === 'POST') shared[413] = `Body larger than ${MAX_BODY_BYTES} bytes`;
  if (needsCredentials(route))
    shared[401] =
      route.auth === 'person' ? 'No verified identity (or a wrong or expired token)' : 'Missing or wrong credentials';
  if (route.auth === 'person')
    shared[403] = 'The verified person may not do this (recorded on the incident), or the body names someone else';
  if (route.auth === 'person' && route.method === 'POST' && route.path.startsWith('/api/incidents/:id/'))
    shared[429] = `More than ${BURST} requests at once or ${RATE_PER_SECOND} a second from one person to one incident (Retry-After; recorded)`;
  const described = Object.entries({ ...shared, ...route.docs.responses }).map(
    ([status, description]): [string, Json] => [
      status,
      Number(status) < 400 ? answer(description, route.docs.produces ?? ['application/json']) : error(description),
    ],
  );
  return {
    ...Object.fromEntries(described),
    default: error('Any other failure: 503 while Temporal is unreachable, 403 for a cross-site browser write, 500'),
  };
}

function jsonSchema(type: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return schema;
}

const needsCredentials = (route: Route) => route.auth === 'person' || route.auth === 'reader';
