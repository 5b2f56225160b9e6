// Preloaded into regbench.mjs in scale-out mode (node --import tsx --import <this file>): makes its GETs follow
// redirects as docker and containerd do. A registry on S3 answers a blob GET with 307 to a presigned S3 URL,
// and regbench's plain http.request would take that 307 for a failure. The redirected request keeps the
// caller's agent (keep-alive per host) and headers, except Authorization when it goes to another origin.
import http from 'node:http';

const request = http.request;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_HOPS = 5;
/** How long a redirected request may take; regbench's own time-outs apply to the first hop only. */
const HOP_TIMEOUT_MS = 600_000;

type Callback = (res: http.IncomingMessage) => void;

function originOf(o: http.RequestOptions): string {
  return `http://${o.hostname ?? o.host ?? 'localhost'}:${o.port ?? 80}`;
}

/** Sends `options` and hands the final response to `callback`; errors of later hops surface on `first`. */
function send(options: http.RequestOptions, callback: Callback, first: http.ClientRequest | undefined, hops: number): http.ClientRequest {
  const req = request(options, (res) => {
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location || hops >= MAX_HOPS) return callback(res);
    res.resume();
    const from = new URL(options.path ?? '/', originOf(options));
    const to = new URL(location, from);
    const headers = { ...(options.headers as Record<string, string> | undefined) };
    if (to.origin !== from.origin) delete headers.authorization;
    if (to.protocol !== 'http:') return void (first ?? req).emit('error', new Error(`redirect to ${to.origin}: only http:// is followed`));
    const next: http.RequestOptions = { method: 'GET', hostname: to.hostname, port: to.port || 80, path: to.pathname + to.search, headers, agent: options.agent };
    const hop = send(next, callback, first ?? req, hops + 1);
    hop.setTimeout(HOP_TIMEOUT_MS, () => hop.destroy(new Error(`timeout GET ${to.href}`)));
    hop.end();
  });
  if (first) req.on('error', (err) => first.emit('error', err));
  return req;
}

/** Follows redirects of GETs made with (options, callback), the only form regbench uses; anything else is passed on. */
function requestFollowingRedirects(...args: unknown[]): http.ClientRequest {
  const [options, callback] = args;
  const isGet = typeof options === 'object' && options !== null && !(options instanceof URL) && ((options as http.RequestOptions).method ?? 'GET') === 'GET';
  if (args.length !== 2 || !isGet || typeof callback !== 'function') return (request as (...a: unknown[]) => http.ClientRequest)(...args);
  return send(options as http.RequestOptions, callback as Callback, undefined, 0);
}

http.request = requestFollowingRedirects as typeof http.request;
