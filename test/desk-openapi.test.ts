import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildDesk } from '../src/desk/app';
import { jsonSchemaOf } from '../src/infra/message-schemas';
import { orderStatuses } from '../src/contract';

type Json = Record<string, unknown>;
interface Operation {
  summary?: string;
  security?: Json[];
  parameters?: { in: string; name: string; required?: boolean; schema: Json }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  security: Json[];
  paths: Record<string, Record<string, Operation>>;
}

/** The API's routes, as the issue lists them. */
const apiRoutes = [
  ['post', '/api/orders'],
  ['get', '/api/orders'],
  ['get', '/api/orders/{orderId}'],
  ['post', '/api/orders/{orderId}/confirm'],
  ['post', '/api/orders/{orderId}/cancel'],
  ['post', '/api/orders/{orderId}/resume'],
  ['get', '/api/matches/{orderId}'],
  ['post', '/api/orders/{orderId}/links'],
  ['get', '/api/respond/{token}'],
  ['post', '/api/respond/{token}'],
] as const;

/** A message's JSON Schema as docs/schemas/ holds it, less the `$schema` line a document embedding it leaves out. */
const contractSchema = (name: Parameters<typeof jsonSchemaOf>[0]): Json => {
  const { $schema: _dialect, ...schema } = jsonSchemaOf(name) as Json;
  return schema;
};

/**
 * The document is built from the routes alone: the desk here has a client that is never connected (a lazy
 * connection to the default address), so nothing in it can come from a server.
 */
describe("the desk's OpenAPI document", () => {
  let app: FastifyInstance;
  let doc: OpenApiDocument;
  const operation = (method: string, path: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`no ${method.toUpperCase()} ${path} in the document`);
    return found;
  };
  const bodySchema = (method: string, path: string): Json | undefined =>
    operation(method, path).requestBody?.content['application/json']?.schema;

  beforeAll(async () => {
    app = await buildDesk({
      client: new Client(),
      operatorToken: 'never-used',
      link: { key: 'never-used', publicUrl: 'http://127.0.0.1:1' },
    });
    // Over HTTP, not by `inject`: its light-my-request requires the ESM-only `cookie` 2, which jest's runtime refuses.
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await response.json()) as OpenApiDocument;
  });
  afterAll(() => app?.close());

  test('when it is fetched without a token, then it is an OpenAPI 3.1 document with an operator bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    expect(doc.components.securitySchemes.operator).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ operator: [] }]);
  });

  test('when its structure is read, then every operation is well formed: responses, declared path parameters, known security schemes', () => {
    const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(methods.has(method)).toBe(true);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort()).toEqual([...templated].sort());
        for (const p of pathParams) expect(p.required).toBe(true);
        for (const p of op.parameters ?? []) expect(['query', 'header', 'path', 'cookie']).toContain(p.in);
        for (const requirement of op.security ?? [])
          for (const scheme of Object.keys(requirement))
            expect(Object.keys(doc.components.securitySchemes)).toContain(scheme);
      }
    }
  });

  test('when the API routes are looked up, then every one of them is there, with a summary', () => {
    for (const [method, path] of apiRoutes) expect(operation(method, path).summary).toMatch(/\w/);
  });

  test("when the order's body is read, then it IS the contract's OrderSubmitted JSON Schema, not a second description", () => {
    const post = operation('post', '/api/orders');
    expect(post.requestBody?.required).toBe(true);
    expect(bodySchema('post', '/api/orders')).toEqual(contractSchema('OrderSubmitted'));
  });

  test("when a command's body is read, then its fields are the contract's own, less what the path gives", () => {
    const confirm = contractSchema('ConfirmOrder') as { properties: Record<string, Json> };
    expect(bodySchema('post', '/api/orders/{orderId}/confirm')).toEqual({
      type: 'object',
      properties: { menuId: confirm.properties.menuId },
      required: ['menuId'],
    });
    const cancel = contractSchema('CancelOrder') as { properties: Record<string, Json> };
    expect(JSON.stringify(bodySchema('post', '/api/orders/{orderId}/cancel'))).toContain(
      JSON.stringify(cancel.properties.reason),
    );
    const orderId = operation('get', '/api/orders/{orderId}').parameters?.find((p) => p.name === 'orderId');
    expect(orderId?.schema).toEqual(confirm.properties.orderId);
  });

  test("when the list's query is read, then status is the contract's statuses and pageSize is bounded", () => {
    const params = Object.fromEntries(
      (operation('get', '/api/orders').parameters ?? []).map((p) => [p.name, p]),
    );
    expect(Object.keys(params).sort()).toEqual(['customerId', 'pageSize', 'pageToken', 'status']);
    expect(params.status?.schema.enum).toEqual([...orderStatuses]);
    expect(params.pageSize?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
  });

  test('when a participant route is read, then it asks for no operator token: the link is the credential', () => {
    for (const method of ['get', 'post'])
      expect(operation(method, '/api/respond/{token}').security).toEqual([]);
    expect(operation('post', '/api/orders').security).toBeUndefined();
  });
});
