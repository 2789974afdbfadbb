/**
 * `?watch=true` on a collection, as the API server streams it: one JSON event per line (ADDED / MODIFIED / DELETED)
 * from the requested resourceVersion on. Recent events are kept so a watch that starts from a list's resourceVersion
 * misses nothing; one older than what is kept gets an ERROR event with 410 Expired, and the client relists — the
 * semantics the completion watch relies on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ResourceDefinition } from './resources.ts';
import { parseLabelSelector } from './selectors.ts';
import type { ObjectStore, StoreEvent } from './store.ts';

const KEPT_EVENTS = 2000;

export class WatchHub {
  private readonly recent: StoreEvent[] = [];
  private readonly streams = new Set<(event: StoreEvent) => void>();
  private readonly responses = new Set<ServerResponse>();
  /** A watch from a resourceVersion below this one missed events no longer kept: 410 Expired. */
  private keptFrom = 0;
  private readonly store: ObjectStore;
  /** Watch streams opened, for tests. */
  opened = 0;

  constructor(store: ObjectStore) {
    this.store = store;
    store.onChange((event) => {
      this.recent.push({ ...event, object: structuredClone(event.object) });
      const dropped = this.recent.length > KEPT_EVENTS ? this.recent.shift() : undefined;
      if (dropped) this.keptFrom = Number(dropped.object.metadata.resourceVersion);
      for (const stream of this.streams) stream(event);
    });
  }

  /** Ends every open watch, as an API server does after its request timeout: clients reconnect from their resourceVersion. */
  closeAll(): void {
    for (const response of this.responses) response.end();
    this.responses.clear();
  }

  /** Forgets every kept event, so that a watch from an older resourceVersion is answered 410 Expired. */
  expireHistory(): void {
    this.recent.length = 0;
    this.keptFrom = Number(this.store.currentRevision);
  }

  serve(
    request: IncomingMessage,
    response: ServerResponse,
    resource: ResourceDefinition,
    namespace: string | undefined,
    query: URLSearchParams,
  ): void {
    const matches = parseLabelSelector(query.get('labelSelector'));
    const from = Number(query.get('resourceVersion') || 0);
    const wanted = (event: StoreEvent) =>
      event.resource === resource &&
      (!namespace || event.object.metadata.namespace === namespace) &&
      matches(event.object.metadata.labels ?? {}) &&
      Number(event.object.metadata.resourceVersion) > from;
    // A watch ended by closeAll() stays subscribed until its 'close' event; a change in between must not write to it.
    const write = (type: string, object: unknown) => {
      if (!response.writableEnded) response.write(`${JSON.stringify({ type, object })}\n`);
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.flushHeaders(); // the client's watch call returns on the headers, before any event
    this.opened++;
    if (from > 0 && from < this.keptFrom) {
      write('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${from}`,
        reason: 'Expired',
        code: 410,
      });
      response.end();
      return;
    }
    for (const event of this.recent) if (wanted(event)) write(event.type, event.object as KubeObject);
    const stream = (event: StoreEvent) => {
      if (wanted(event)) write(event.type, event.object);
    };
    this.streams.add(stream);
    this.responses.add(response);
    const close = () => {
      this.streams.delete(stream);
      this.responses.delete(response);
    };
    request.on('close', close);
    response.on('close', close);
  }
}
