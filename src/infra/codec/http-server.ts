import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import type { EncryptionCodec } from './encryption-codec';
import { PayloadDecryptionError } from './encryption-codec';
import { maskCardNumbers } from './mask-card-numbers';

export interface CodecServerOptions {
  codec: EncryptionCodec;
  /** Origins whose pages (the Web UI) may call the server from a browser. */
  allowedOrigins: readonly string[];
  /** Namespaces this server's keys belong to; a request for another gets 403. */
  namespaces: readonly string[];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

/** Temporal's remote codec protocol: payloads as protobuf JSON (base64 bytes). */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const defaultMaxBodyBytes = 4 * 1024 * 1024;
const base64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function bytes(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !base64.test(value))
    throw new HttpError(400, `${where} must be a base64 string`);
  return Buffer.from(value, 'base64');
}

function parsePayloads(body: string): Payload[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, 'expected {"payloads": [...]}');
  // Protobuf JSON leaves an empty list out: the temporal CLI sends `{}` for a query without arguments.
  const payloads = (parsed as { payloads?: unknown }).payloads ?? [];
  if (!Array.isArray(payloads)) throw new HttpError(400, 'expected {"payloads": [...]}');
  return payloads.map((item: unknown, i): Payload => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new HttpError(400, `payloads[${i}] must be an object`);
    const { metadata, data } = item as { metadata?: unknown; data?: unknown };
    if (
      metadata !== undefined &&
      (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    )
      throw new HttpError(400, `payloads[${i}].metadata must be an object`);
    const payload: Payload = { metadata: {} };
    for (const [k, v] of Object.entries((metadata ?? {}) as Record<string, unknown>))
      payload.metadata![k] = bytes(v, `payloads[${i}].metadata.${k}`);
    if (data !== undefined) payload.data = bytes(data, `payloads[${i}].data`);
    return payload;
  });
}

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

/** A decoded JSON payload with its card numbers masked; anything else (binary, protobuf) passes as it is. */
function masked(payload: Payload): Payload {
  const encoding = Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? new Uint8Array()).toString();
  if (encoding !== 'json/plain') return payload;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
  } catch {
    return payload;
  }
  return { ...payload, data: Buffer.from(JSON.stringify(maskCardNumbers(value)), 'utf8') };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, `the body is larger than ${limit} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      reject(tooLarge());
      // Drained, not destroyed: the client still gets its 413.
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function authorised(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The codec server for people: the Web UI and `temporal --codec-endpoint` send it payloads to decode for display (and
 * to encode what a person types). Decoding masks card numbers, so nobody reads a full card through it; only the
 * workers, which hold the key themselves, ever decode the real thing.
 */
export function createCodecServer(options: CodecServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const log = options.log ?? (() => undefined);

  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (origin && options.allowedOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Vary', 'Origin');
    }
  };

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    cors(req, res);
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && path === '/health') return reply(res, 200, { status: 'ok' });
    if (path !== '/encode' && path !== '/decode')
      throw new HttpError(404, `no ${path || '/'}: POST /encode or /decode`);
    if (req.method !== 'POST') throw new HttpError(405, `${path} takes POST`);
    if (options.authToken !== undefined && !authorised(req.headers.authorization, options.authToken))
      throw new HttpError(401, 'missing or wrong Authorization: Bearer token');
    const namespace = req.headers['x-namespace'];
    if (typeof namespace === 'string' && namespace !== '' && !options.namespaces.includes(namespace))
      throw new HttpError(403, `this codec server holds no keys for namespace ${namespace}`);
    const payloads = parsePayloads(await readBody(req, maxBodyBytes));
    let result: Payload[];
    if (path === '/encode') result = await options.codec.encode(payloads);
    else {
      try {
        result = (await options.codec.decode(payloads)).map(masked);
      } catch (err) {
        if (err instanceof PayloadDecryptionError) throw new HttpError(422, err.message);
        throw err;
      }
    }
    reply(res, 200, { payloads: result.map(toJson) });
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      log(`${req.method ?? '?'} ${req.url ?? '?'}: ${status} ${message}`);
      if (res.headersSent) return res.destroy();
      // A 413 arrives while the client is still sending; tell it, then close rather than read the rest.
      if (status === 413) res.setHeader('Connection', 'close');
      reply(res, status, { error: status === 500 ? 'internal error' : message });
    });
  });
}
