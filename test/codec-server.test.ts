import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../src/infra/codec/encryption-codec';
import { createCodecServer } from '../src/infra/codec/http-server';
import { newKeyEntry, parseKeyRing } from '../src/infra/codec/key-ring';

const uiOrigin = 'http://localhost:8233';
const keys = parseKeyRing(newKeyEntry('k1'), 'test');
const codec = new EncryptionCodec(keys);
const order = {
  orderId: 'o-1',
  card: { number: '4242 4242 4242 4242', expiry: '12/39', holder: 'Ada Lovelace' },
};

const toWire = (payloads: Payload[]) => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});
const fromWire = (body: { payloads: { metadata: Record<string, string>; data: string }[] }): Payload[] =>
  body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data, 'base64'),
  }));

function serve(options: { authToken?: string; maxBodyBytes?: number } = {}) {
  let server: Server | undefined;
  let base = '';
  beforeAll(async () => {
    server = createCodecServer({ codec, allowedOrigins: [uiOrigin], namespaces: ['default'], ...options });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  return {
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    request: (path: string, init: RequestInit) => fetch(`${base}${path}`, init),
  };
}

describe('codec server, remote codec protocol', () => {
  const http = serve();

  test('when the Web UI decodes an order, then it reads the input with the card masked to its last four digits', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload(order)]);
    const res = await http.post('/decode', toWire(encrypted));
    expect(res.status).toBe(200);
    const [decoded] = fromWire((await res.json()) as Parameters<typeof fromWire>[0]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({
      ...order,
      card: { ...order.card, number: '•••• 4242' },
    });
  });

  test('when a person types a payload (temporal --codec-endpoint), then /encode encrypts it and workers can read it', async () => {
    const res = await http.post('/encode', toWire([defaultPayloadConverter.toPayload(order)]));
    expect(res.status).toBe(200);
    const [encoded] = fromWire((await res.json()) as Parameters<typeof fromWire>[0]);
    expect(Buffer.from(encoded!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('4242');
    expect(defaultPayloadConverter.fromPayload((await codec.decode([encoded!]))[0]!)).toEqual(order);
  });

  test('when a failure quotes a 15-digit American Express or a 13-digit Visa number, then the Web UI sees it masked', async () => {
    const message = 'card 3782 822463 10005 declined; retried with 4222222222222';
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload({ message })]);
    const res = await http.post('/decode', toWire(encrypted));
    const [decoded] = fromWire((await res.json()) as Parameters<typeof fromWire>[0]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({
      message: 'card •••• 0005 declined; retried with •••• 2222',
    });
  });

  test('when a payload is not encrypted, then it is decoded as it is (masked all the same)', async () => {
    const res = await http.post('/decode', toWire([defaultPayloadConverter.toPayload(order)]));
    const [decoded] = fromWire((await res.json()) as Parameters<typeof fromWire>[0]);
    expect(defaultPayloadConverter.fromPayload<typeof order>(decoded!).card.number).toBe('•••• 4242');
  });

  test('when the Web UI asks from its origin, then CORS lets it; another origin gets no CORS grant', async () => {
    const preflight = await http.request('/decode', {
      method: 'OPTIONS',
      headers: {
        Origin: uiOrigin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/i);
    const elsewhere = await http.post('/decode', toWire([]), { Origin: 'http://evil.example' });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  test.each([
    ['not JSON', '/decode', '{"payloads": [', {}, 400, 'the body is not JSON'],
    ['payloads that are no list', '/decode', { payloads: {} }, {}, 400, 'expected {"payloads": [...]}'],
    ['a list for a body', '/decode', [], {}, 400, 'expected {"payloads": [...]}'],
    ['a payload that is no object', '/decode', { payloads: [42] }, {}, 400, 'payloads[0] must be an object'],
    [
      'data that is not base64',
      '/encode',
      { payloads: [{ data: '???' }] },
      {},
      400,
      'payloads[0].data must be a base64 string',
    ],
    [
      'another namespace',
      '/decode',
      { payloads: [] },
      { 'X-Namespace': 'payments' },
      403,
      'this codec server holds no keys for namespace payments',
    ],
    ['an unknown path', '/decrypt', { payloads: [] }, {}, 404, 'no /decrypt: POST /encode or /decode'],
  ])(
    'when the request has %s, then it gets a 4xx with the reason',
    async (_what, path, body, headers, status, error) => {
      const res = await http.post(path, body, headers);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error });
    },
  );

  test('when a payload was encrypted with a key the server lacks, then 422 names the key', async () => {
    const other = new EncryptionCodec(parseKeyRing(newKeyEntry('elsewhere'), 'test'));
    const res = await http.post(
      '/decode',
      toWire(await other.encode([defaultPayloadConverter.toPayload(1)])),
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/^payload encrypted with key elsewhere/);
  });

  test('when the list is empty, as protobuf JSON writes it (`{}`), then the answer is an empty list', async () => {
    const res = await http.post('/encode', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [] });
  });

  test('when a request uses GET, then 405, and the server keeps serving after every bad request', async () => {
    expect((await http.request('/decode', { method: 'GET' })).status).toBe(405);
    expect((await http.post('/decode', toWire([]))).status).toBe(200);
  });
});

describe('codec server limits and auth', () => {
  const http = serve({ authToken: 's3cret', maxBodyBytes: 1024 });

  test('when a bearer token is configured, then requests without it get 401 and with it succeed', async () => {
    expect((await http.post('/decode', toWire([]))).status).toBe(401);
    expect((await http.post('/decode', toWire([]), { Authorization: 'Bearer wrong!' })).status).toBe(401);
    expect((await http.post('/decode', toWire([]), { Authorization: 'Bearer s3cret' })).status).toBe(200);
  });

  test('when the body is too large, then 413 and the server stays up', async () => {
    const big = toWire([{ metadata: {}, data: Buffer.alloc(4096, 1) }]);
    const res = await http.post('/encode', big, { Authorization: 'Bearer s3cret' });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'the body is larger than 1024 bytes' });
    expect((await http.post('/decode', toWire([]), { Authorization: 'Bearer s3cret' })).status).toBe(200);
  });
});

describe('codec server default body limit', () => {
  const http = serve();
  // docs/encryption.md: a body over 4 MiB gets 413.
  const fourMiB = 4 * 1024 * 1024;
  // A valid empty request padded with JSON whitespace to exactly `bytes` bytes.
  const bodyOf = (bytes: number) => {
    const request = '{"payloads":[]}';
    return request + ' '.repeat(bytes - request.length);
  };

  test('when the body is exactly 4 MiB, then it is served', async () => {
    const res = await http.post('/encode', bodyOf(fourMiB));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [] });
  });

  test('when the body is one byte over 4 MiB, then 413 and the server stays up', async () => {
    const res = await http.post('/encode', bodyOf(fourMiB + 1));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'the body is larger than 4194304 bytes' });
    expect((await http.post('/decode', toWire([]))).status).toBe(200);
  });
});
