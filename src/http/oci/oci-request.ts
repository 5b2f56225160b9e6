import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../../core/context.js';
import type { Registry } from '../../registry/registry.js';
import type { Authorized } from './oci-auth.js';

/** What a /v2 handler gets: the registry, the parsed request and where to answer. */
export interface OciExchange {
  readonly registry: Registry;
  readonly ctx: OpContext;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly query: URLSearchParams;
  /** Absolute base URL for Location headers: BERTH_PUBLIC_URL, else the request's scheme and Host. */
  readonly baseUrl: string;
  /** Who is calling, and what the request may do beyond its route's own action. */
  readonly authorized: Authorized;
}

/** The request body as a stream of chunks, never buffered whole. */
export function bodyOf(exchange: OciExchange): AsyncIterable<Uint8Array> {
  return exchange.request.raw;
}

/** Whether the request carries a body at all (Content-Length > 0 or chunked). */
export function hasBody(exchange: OciExchange): boolean {
  const headers = exchange.request.headers;
  if (headers['transfer-encoding'] !== undefined) return true;
  return Number(headers['content-length'] ?? 0) > 0;
}

export function declaredLength(exchange: OciExchange): number | undefined {
  const header = exchange.request.headers['content-length'];
  if (header === undefined || exchange.request.headers['transfer-encoding'] !== undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** Reads a small body whole, refusing more than `limit` bytes with `onTooLarge`. */
export async function readSmallBody(exchange: OciExchange, limit: number, onTooLarge: (size: number) => Error): Promise<Buffer> {
  const declared = declaredLength(exchange);
  if (declared !== undefined && declared > limit) throw onTooLarge(declared);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of exchange.request.raw) {
    size += (part as Buffer).length;
    if (size > limit) throw onTooLarge(size);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

/** `Range: 0-<last>` as the spec's upload responses carry it ("0-0" for an empty upload). */
export function uploadRange(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

export function repositoryPath(name: string): string {
  return `/v2/${name}`;
}

/** 200 with a JSON body under exactly `contentType` (a Buffer, so no charset is appended). */
export function sendJson(x: OciExchange, contentType: string, value: unknown): void {
  x.reply.code(200).header('content-type', contentType).send(Buffer.from(JSON.stringify(value)));
}
