/**
 * The API's OpenAPI 3.1 document. Parameters and bodies are generated from the same zod schemas
 * the routes validate with (OpenAPI 3.1 speaks JSON Schema 2020-12, which zod emits), so the
 * document cannot drift from what the API accepts; the route list itself is written out here.
 */
import { MAX_RANGE_DAYS, type YearSpan } from '@hotline/core';
import { z } from 'zod';
import { WORK_ORDER_ID } from '../work-orders/work-order-id.pipe';
import { acknowledgeBody, resolveBody } from '../escalations/escalation-command.body';
import { escalationIdParam, escalationListQuery } from '../escalations/escalations.query';
import { deliveryListQuery } from '../deliveries/deliveries.query';
import { oidcSignInBody } from '../console/oidc-sign-in.body';
import {
  workOrderExportQuery,
  workOrderListQuery,
  workOrderReadQuery,
} from '../work-orders/work-orders.query';
import {
  exportQuery,
  monthField,
  monthlyQuery,
  summaryQuery,
} from '../statistics/statistics.query';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return rest;
}

function queryParameters(schema: z.ZodObject) {
  const json = jsonSchema(schema) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const json = (description: string, schema: JsonSchema = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const page = (item: string) => ({
  type: 'object',
  required: ['items', 'page', 'pageSize', 'total', 'totalIsExact'],
  properties: {
    items: { type: 'array', items: { type: 'object', description: item } },
    page: { type: 'integer' },
    pageSize: { type: 'integer' },
    total: { type: 'integer', description: 'matching rows, counted up to 10,000' },
    totalIsExact: { type: 'boolean', description: 'false: more than 10,000 rows match' },
  },
});

const principal = {
  type: 'object',
  required: ['subject', 'role', 'unitId'],
  properties: {
    subject: { type: 'string' },
    role: { enum: ['leader', 'supervisor', 'unit'] },
    unitId: { type: ['string', 'null'] },
  },
};
const signInMethods = {
  type: 'object',
  required: ['token', 'oidc'],
  properties: {
    token: { const: true, description: 'a bearer token may be pasted' },
    oidc: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['authorizationEndpoint', 'clientId', 'scopes'],
          properties: {
            authorizationEndpoint: { type: 'string', format: 'uri' },
            clientId: { type: 'string' },
            scopes: { type: 'array', items: { type: 'string' } },
          },
        },
      ],
    },
  },
};

const secured = {
  401: errorResponse('no bearer token, or an invalid, expired or too long-lived one'),
  400: errorResponse('a parameter or the body failed validation'),
  429: errorResponse('too many requests for this token or address (see Retry-After)'),
};
const workOrderId = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: WORK_ORDER_ID.source },
};
const escalationId = {
  name: 'id',
  in: 'path',
  required: true,
  schema: jsonSchema(escalationIdParam),
};

/** The document for a span of years (API_YEAR_MIN–API_YEAR_MAX): months and days outside it are 400. */
export function buildOpenApiDocument(span: YearSpan) {
  const years = `months and days in the years ${span.fromYear}–${span.toYear}`;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hotline supervision API (12345 督办)',
      version: '1',
      description:
        'Supervisors’ API over work orders and escalations. Every route but /health, ' +
        '/openapi.json and the console’s sign-in (/session/sign-in, /session/oidc) needs a bearer token: a local HS256 one with `sub`, `role` (leader, ' +
        'supervisor, unit) and, for unit, `unitId`, or one of the identity provider (RS256/ES256, ' +
        'its claims mapped to those roles; a token without a usable role is 403); a unit sees and acts on its own unit only (another unit’s id: ' +
        '403; unknown id: 404). Instants are RFC 3339 with the calendar’s offset (+08:00).',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['statusCode', 'error', 'message'],
          properties: {
            statusCode: { type: 'integer' },
            error: { type: 'string' },
            message: { type: 'string' },
          },
        },
      },
    },
    paths: {
      '/health': {
        get: {
          summary: 'Liveness and readiness (database)',
          security: [],
          responses: { 200: json('ready'), 503: json('the database is down') },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { 200: json('OpenAPI 3.1') },
        },
      },
      '/work-orders': {
        get: {
          summary: 'Work orders, newest received first (a unit token: its own unit only)',
          description:
            '`overdue=true`: acceptance or completion is still pending and its due instant has ' +
            'passed; `false`: neither. Items carry no citizen; personal numbers in the title ' +
            '(mobile, landline, identity card, bank card) are masked.',
          parameters: queryParameters(workOrderListQuery),
          responses: {
            200: json('a page of orders', page('work-order summary')),
            ...secured,
            403: errorResponse('a unit token asked for another unit'),
          },
        },
      },
      '/work-orders/{id}': {
        get: {
          summary: 'One work order: state, deadlines, stage outcomes, escalations, explanation',
          description:
            'Citizens’ names and phones, and the personal numbers inside the title, content and ' +
            'address, are masked; `reveal=true` shows them in full to a leader or supervisor ' +
            'and is audit-logged; a unit token asking for it gets 403.',
          parameters: [workOrderId, ...queryParameters(workOrderReadQuery)],
          responses: {
            200: json('the order'),
            ...secured,
            403: errorResponse('another unit’s order, or reveal asked by a unit'),
            404: errorResponse('unknown order'),
          },
        },
      },
      '/session': {
        get: {
          summary: 'Who the bearer token says the caller is: subject, role, unitId (the console)',
          responses: { 200: json('the principal', principal), ...secured },
        },
      },
      '/session/sign-in': {
        get: {
          summary:
            'How the console may sign in: a pasted token, and the identity provider when configured',
          description:
            '`oidc` is null unless OIDC_CLIENT_ID is set; then it names the provider’s ' +
            'authorization endpoint (from its discovery document), the client id and the scopes ' +
            'for the authorization code flow with PKCE (S256).',
          security: [],
          responses: {
            200: json('the sign-in methods', signInMethods),
            429: secured[429],
            503: errorResponse('the identity provider’s discovery document cannot be had'),
          },
        },
      },
      '/session/oidc': {
        post: {
          summary: 'The identity provider’s authorization code for a bearer token (the console)',
          description:
            'The API exchanges the code at the provider’s token endpoint with the PKCE verifier ' +
            'and answers the access token (or, when that is not a JWT the API accepts, the ID ' +
            'token) once the API itself accepts it, with who it says the caller is. ' +
            '`redirectUri` must be the console on this API’s own host (under /console/).',
          security: [],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(oidcSignInBody) } },
          },
          responses: {
            200: json('the token and the principal', {
              type: 'object',
              required: ['token', 'principal'],
              properties: { token: { type: 'string' }, principal: principal },
            }),
            400: secured[400],
            401: errorResponse(
              'the provider refused the code (its error code is named), or its token is not accepted',
            ),
            403: errorResponse('a genuine token whose claims carry no role of this API'),
            404: errorResponse('sign-in with the identity provider is not configured'),
            429: secured[429],
            503: errorResponse('the identity provider cannot be reached'),
          },
        },
      },
      '/work-orders/{id}/events': {
        get: {
          summary: 'An order’s timeline: its logged events in the order they are folded',
          description:
            'Masked and revealed as the order itself: citizen and free text (content, reasons, ' +
            'replies, notes) masked unless `reveal=true` (leader or supervisor, audit-logged).',
          parameters: [workOrderId, ...queryParameters(workOrderReadQuery)],
          responses: {
            200: json('the events'),
            ...secured,
            403: errorResponse('another unit’s order, or reveal asked by a unit'),
            404: errorResponse('unknown order'),
          },
        },
      },
      '/work-orders.csv': {
        get: {
          summary: 'The filtered orders as CSV (UTF-8 with BOM, Chinese headings, first 5,000)',
          description: 'Title and address always have their personal numbers masked.',
          parameters: queryParameters(workOrderExportQuery),
          responses: {
            200: { description: 'text/csv' },
            ...secured,
            403: errorResponse('a unit token asked for another unit'),
          },
        },
      },
      '/work-orders.xlsx': {
        get: {
          summary: 'The filtered orders as an XLSX workbook (sheet 工单, first 5,000)',
          description: 'Title and address always have their personal numbers masked.',
          parameters: queryParameters(workOrderExportQuery),
          responses: {
            200: { description: 'an XLSX workbook' },
            ...secured,
            403: errorResponse('a unit token asked for another unit'),
          },
        },
      },
      '/escalations': {
        get: {
          summary: 'Escalations, newest fired first (a unit token: its own unit only)',
          parameters: queryParameters(escalationListQuery),
          responses: {
            200: json('a page of escalations', page('escalation')),
            ...secured,
            403: errorResponse('a unit token asked for another unit'),
          },
        },
      },
      '/escalations/{id}': {
        get: {
          summary: 'One escalation with its level history and its notices’ deliveries',
          parameters: [escalationId],
          responses: {
            200: json('the escalation'),
            ...secured,
            403: errorResponse('another unit’s escalation'),
            404: errorResponse('unknown escalation'),
          },
        },
      },
      '/deliveries': {
        get: {
          summary:
            'Deliveries of the notices (who, which channel, status, attempts, last error), newest first; leader or supervisor',
          parameters: queryParameters(deliveryListQuery),
          responses: {
            200: json('a page of deliveries', page('delivery')),
            ...secured,
            403: errorResponse('a unit token'),
          },
        },
      },
      '/escalations/{id}/acknowledge': {
        post: {
          summary: 'Acknowledge (签收) an open escalation; leader, supervisor, or its own unit',
          parameters: [escalationId],
          requestBody: {
            required: false,
            content: { 'application/json': { schema: jsonSchema(acknowledgeBody) } },
          },
          responses: {
            200: json('the acknowledged escalation'),
            ...secured,
            403: errorResponse('another unit’s escalation'),
            404: errorResponse('unknown escalation'),
            409: errorResponse('already acknowledged, resolved, or withdrawn'),
          },
        },
      },
      '/escalations/{id}/resolve': {
        post: {
          summary: 'Resolve with the supervision result (督办结果); leader or supervisor',
          parameters: [escalationId],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(resolveBody) } },
          },
          responses: {
            200: json('the resolved escalation'),
            ...secured,
            403: errorResponse('a unit token'),
            404: errorResponse('unknown escalation'),
            409: errorResponse('already resolved, or withdrawn'),
          },
        },
      },
      '/statistics/monthly': {
        get: {
          summary: 'A month’s figures (domain.md §5) with the formula; frozen once closed',
          parameters: queryParameters(monthlyQuery(span)),
          responses: {
            200: json('total, groups, formula, status, restatements'),
            ...secured,
            403: errorResponse('another unit'),
          },
        },
      },
      '/statistics/summary': {
        get: {
          summary: `Figures for any range of days, at most ${MAX_RANGE_DAYS} (截至目前), ${years}`,
          parameters: queryParameters(summaryQuery(span)),
          responses: {
            200: json('total, groups, formula'),
            ...secured,
            403: errorResponse('another unit'),
          },
        },
      },
      '/statistics/monthly.csv': {
        get: {
          summary: 'The month as CSV (UTF-8 with BOM, Chinese headings)',
          parameters: queryParameters(exportQuery(span)),
          responses: {
            200: { description: 'text/csv' },
            ...secured,
            403: errorResponse('another unit'),
          },
        },
      },
      '/statistics/monthly.xlsx': {
        get: {
          summary: 'The month as an XLSX workbook (Chinese headings, the formula sheet)',
          parameters: queryParameters(exportQuery(span)),
          responses: {
            200: { description: 'an XLSX workbook' },
            ...secured,
            403: errorResponse('another unit'),
          },
        },
      },
      '/statistics/months/{month}/close': {
        post: {
          summary: 'Freeze a month’s figures (leaders and supervisors)',
          parameters: [
            {
              name: 'month',
              in: 'path',
              required: true,
              schema: { ...jsonSchema(monthField(span)), description: years },
            },
          ],
          responses: {
            200: json('the frozen month'),
            ...secured,
            403: errorResponse('a unit token'),
            409: errorResponse('already closed, not over, or supervision not yet past its end'),
          },
        },
      },
      '/statistics/months/{month}/restatements': {
        get: {
          summary: 'Changes that reached a closed month after its close',
          parameters: [
            {
              name: 'month',
              in: 'path',
              required: true,
              schema: { ...jsonSchema(monthField(span)), description: years },
            },
          ],
          responses: {
            200: json('the restatements'),
            ...secured,
            404: errorResponse('the month is open'),
          },
        },
      },
    },
  };
}
