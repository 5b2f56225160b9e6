import type { FastifyInstance } from 'fastify';

const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

/** Request counters and latency histograms by route, plus byte counters, in Prometheus text format. */
export class HttpMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Series>();
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    private readonly gauges: Record<string, { help: string; read: () => number }> = {},
    /** More metrics, read at each scrape: lines in Prometheus text format. */
    private readonly collectors: (() => Promise<string[]>)[] = [],
  ) {}

  observe(route: string, method: string, status: number, seconds: number, bytesIn: number, bytesOut: number): void {
    const key = `route="${route}",method="${method}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const latencyKey = `route="${route}",method="${method}"`;
    let series = this.latency.get(latencyKey);
    if (!series) this.latency.set(latencyKey, (series = { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) }));
    series.count++;
    series.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) series.buckets[i]!++;
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    lines.push('# HELP berth_http_requests_total HTTP requests by route, method and status.', '# TYPE berth_http_requests_total counter');
    for (const [labels, value] of this.requests) lines.push(`berth_http_requests_total{${labels}} ${value}`);
    lines.push('# HELP berth_http_request_duration_seconds Time to answer a request.', '# TYPE berth_http_request_duration_seconds histogram');
    for (const [labels, series] of this.latency) {
      BUCKETS.forEach((le, i) => lines.push(`berth_http_request_duration_seconds_bucket{${labels},le="${le}"} ${series.buckets[i]}`));
      lines.push(`berth_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${series.count}`);
      lines.push(`berth_http_request_duration_seconds_sum{${labels}} ${series.sum}`);
      lines.push(`berth_http_request_duration_seconds_count{${labels}} ${series.count}`);
    }
    lines.push('# HELP berth_http_received_bytes_total Bytes received on the wire, headers included.', '# TYPE berth_http_received_bytes_total counter');
    lines.push(`berth_http_received_bytes_total ${this.bytesIn}`);
    lines.push('# HELP berth_http_sent_bytes_total Bytes sent on the wire, headers included.', '# TYPE berth_http_sent_bytes_total counter');
    lines.push(`berth_http_sent_bytes_total ${this.bytesOut}`);
    const memory = process.memoryUsage();
    const memoryGauges: [string, string, number][] = [
      ['process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss],
      ['nodejs_heap_size_total_bytes', 'V8 heap reserved, in bytes.', memory.heapTotal],
      ['nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes.', memory.heapUsed],
      ['nodejs_external_memory_bytes', 'Memory of buffers and other objects outside the V8 heap, in bytes.', memory.external],
    ];
    for (const [name, help, value] of memoryGauges) lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    for (const [name, gauge] of Object.entries(this.gauges)) {
      lines.push(`# HELP ${name} ${gauge.help}`, `# TYPE ${name} gauge`, `${name} ${gauge.read()}`);
    }
    for (const collect of this.collectors) lines.push(...(await collect()));
    return `${lines.join('\n')}\n`;
  }
}

/**
 * Times every request of `app` (call it on the root instance, before routes) and serves GET /metrics.
 * One onResponse hook and no onRequest hook: each hook costs every request, and Fastify times the
 * request already (`reply.elapsedTime`). The hook takes a callback rather than being async: a promise
 * per hook per request is measurable on a small GET.
 */
export function installMetrics(app: FastifyInstance, metrics: HttpMetrics): void {
  // The socket's byte counters when its previous response ended: what a response adds to them is its
  // request's bytes (headers included) and its own. Counters, not a 'data' listener: listening would
  // take the body away from its handler.
  const counted = new WeakMap<object, { read: number; written: number }>();
  app.addHook('onResponse', (request, reply, done) => {
    const socket = request.raw.socket;
    let last = counted.get(socket);
    if (!last) counted.set(socket, (last = { read: 0, written: 0 }));
    const { bytesRead, bytesWritten } = socket;
    const route = request.routeKind ?? request.routeOptions.url ?? 'unmatched';
    metrics.observe(route, request.method, reply.statusCode, reply.elapsedTime / 1000, bytesRead - last.read, bytesWritten - last.written);
    last.read = bytesRead;
    last.written = bytesWritten;
    done();
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', 'text/plain; version=0.0.4').send(await metrics.render());
  });
}
