/**
 * The worker's HTTP endpoint (METRICS_BIND_ADDRESS): `/metrics` (the Temporal runtime's Prometheus exporter, which
 * listens on an internal loopback port, plus the running-executions gauge), `/healthz` (the process is up) and
 * `/readyz` (connected to Temporal and the worker polling; 503 with the reason otherwise) for the probes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface HealthServerOptions {
  /** host:port to listen on. */
  bindAddress: string;
  /** URL of the runtime's own Prometheus endpoint, proxied at /metrics. */
  metricsUpstream?: string;
  readiness: () => Promise<Readiness>;
  /** Extra metric lines in Prometheus text format (computed at scrape time). */
  extraMetrics?: () => Promise<string>;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

function split(bindAddress: string): { host: string; port: number } {
  const colon = bindAddress.lastIndexOf(':');
  return { host: bindAddress.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(bindAddress.slice(colon + 1)) };
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://worker').pathname;
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') {
      options.readiness().then(
        (state) => reply(state.ready ? 200 : 503, `${JSON.stringify(state)}\n`, 'application/json'),
        (error: Error) => reply(503, `${JSON.stringify({ ready: false, reason: error.message })}\n`, 'application/json'),
      );
      return;
    }
    if (path === '/metrics') {
      Promise.all([
        options.metricsUpstream ? fetch(options.metricsUpstream).then((upstream) => upstream.text()) : Promise.resolve(''),
        options.extraMetrics?.().catch(() => '') ?? Promise.resolve(''),
      ]).then(
        ([runtime, extra]) => reply(200, `${runtime}${extra}`, 'text/plain; version=0.0.4; charset=utf-8'),
        (error: Error) => reply(502, `metrics unavailable: ${error.message}\n`),
      );
      return;
    }
    reply(404, 'not found: /metrics, /healthz, /readyz\n');
  });
  const { host, port } = split(options.bindAddress);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
