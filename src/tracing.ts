/**
 * Tracing with OpenTelemetry, on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or
 * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces; OTLP over HTTP). Temporal's interceptors carry one trace from the client's
 * start through the workflow into each activity, and the undici instrumentation adds a span per backend HTTP call
 * (Kubernetes API, AWX), so an execution reads as one trace.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

type Env = Record<string, string | undefined>;

export interface Tracing {
  /** For the Worker (plugins) and the Client (plugins). */
  plugin: OpenTelemetryPlugin;
  endpoint: string;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** The traces endpoint the environment configures, if any. */
export function tracesEndpoint(env: Env = process.env): string | undefined {
  const explicit = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (explicit) return explicit;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export function startTracing(env: Env = process.env, options: { spanProcessor?: SpanProcessor } = {}): Tracing | undefined {
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || 'kubernaut-temporal-executor' });
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations: [new UndiciInstrumentation()] });
  const plugin = new OpenTelemetryPlugin({ resource, spanProcessor, tracer: provider.getTracer('kubernaut-temporal-executor') });
  return {
    plugin,
    endpoint,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}
