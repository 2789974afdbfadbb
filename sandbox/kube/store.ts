/**
 * The sandbox API server's object store: create / get / list / update / delete with resourceVersions, generations,
 * finalizers and a garbage collector for ownerReferences (Background, Foreground and Orphan propagation).
 */
import { randomUUID } from 'node:crypto';
import { nowToTheSecond } from '../clock.ts';
import { apiVersionOf, type KubeObject, type ResourceDefinition, resourceByKind } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { type StatusBody, statusErrors } from './status.ts';

export class ApiError extends Error {
  readonly status: StatusBody;
  constructor(status: StatusBody) {
    super(status.message);
    this.status = status;
  }
}

export type StoreEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; resource: ResourceDefinition; object: KubeObject };
export type Propagation = 'Orphan' | 'Background' | 'Foreground';

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continueToken?: string | null;
}

const keyOf = (resource: ResourceDefinition, namespace: string | undefined, name: string): string =>
  `${resource.plural}.${resource.group}|${resource.namespaced ? (namespace ?? '') : ''}|${name}`;

export class ObjectStore {
  private readonly objects = new Map<string, { resource: ResourceDefinition; object: KubeObject }>();
  private revision = 1000;
  private readonly listeners: ((event: StoreEvent) => void)[] = [];
  /** Creates per "plural/namespace/name", for tests that prove nothing was created twice. */
  readonly creates = new Map<string, number>();
  /** How long the garbage collector takes to act, as on a real cluster where it is asynchronous. */
  gcDelayMs = 30;

  onChange(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        process.stderr.write(`sandbox controller error: ${(error as Error).stack}\n`);
      }
    }
  }

  private nextVersion(): string {
    this.revision += 1;
    return String(this.revision);
  }

  get currentRevision(): string {
    return String(this.revision);
  }

  /** Stored objects carry kind and apiVersion; lists of built-ins drop them, as the API server does. */
  private present(resource: ResourceDefinition, object: KubeObject): KubeObject {
    return { ...structuredClone(object), kind: resource.kind, apiVersion: apiVersionOf(resource) };
  }

  create(resource: ResourceDefinition, namespace: string | undefined, input: KubeObject): KubeObject {
    const object = structuredClone(input);
    object.metadata ??= { name: '' };
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomUUID().replaceAll('-', '').slice(0, 5)}`;
    }
    const name = object.metadata.name;
    if (resource.namespaced) {
      if (namespace && !this.namespaceExists(namespace)) throw new ApiError(statusErrors.namespaceNotFound(namespace));
      object.metadata.namespace = namespace;
    }
    object.metadata.uid = randomUUID();
    resource.applyDefaults?.(object);
    const causes = resource.validate(object);
    if (causes.length > 0) throw new ApiError(statusErrors.invalid(resource, name, causes));
    const key = keyOf(resource, namespace, name);
    if (this.objects.has(key)) throw new ApiError(statusErrors.alreadyExists(resource, name));
    object.metadata.resourceVersion = this.nextVersion();
    object.metadata.creationTimestamp = nowToTheSecond();
    if (resource.group || resource.plural === 'pods') object.metadata.generation = 1;
    // Status sent on create is dropped where a status subresource exists.
    if (resource.statusSubresource) delete object.status;
    object.kind = resource.kind;
    object.apiVersion = apiVersionOf(resource);
    this.objects.set(key, { resource, object });
    const counterKey = `${resource.plural}/${namespace ?? ''}/${name}`;
    this.creates.set(counterKey, (this.creates.get(counterKey) ?? 0) + 1);
    this.emit({ type: 'ADDED', resource, object: this.present(resource, object) });
    return this.present(resource, object);
  }

  namespaceExists(namespace: string): boolean {
    return this.objects.has(keyOf(resourceByKind('Namespace'), undefined, namespace));
  }

  get(resource: ResourceDefinition, namespace: string | undefined, name: string): KubeObject {
    const entry = this.objects.get(keyOf(resource, namespace, name));
    if (!entry) throw new ApiError(statusErrors.notFound(resource, name));
    return this.present(resource, entry.object);
  }

  tryGet(resource: ResourceDefinition, namespace: string | undefined, name: string): KubeObject | undefined {
    const entry = this.objects.get(keyOf(resource, namespace, name));
    return entry ? this.present(resource, entry.object) : undefined;
  }

  list(
    resource: ResourceDefinition,
    namespace: string | undefined,
    options: ListOptions = {},
  ): { items: KubeObject[]; continueToken?: string } {
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector);
    const all = [...this.objects.values()]
      .filter((entry) => entry.resource === resource && (!namespace || entry.object.metadata.namespace === namespace))
      .map((entry) => this.present(resource, entry.object))
      .filter((object) => labels(object.metadata.labels ?? {}) && fields(object))
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    const start = options.continueToken ? Number(Buffer.from(options.continueToken, 'base64url').toString()) || 0 : 0;
    const end = options.limit && options.limit > 0 ? start + options.limit : all.length;
    const items = all.slice(start, end);
    return end < all.length ? { items, continueToken: Buffer.from(String(end)).toString('base64url') } : { items };
  }

  /**
   * Replaces an object (or only its status). A UID or resourceVersion that does not match is a Conflict; custom
   * resources need a resourceVersion, as the API server refuses their unconditional updates.
   */
  update(resource: ResourceDefinition, namespace: string | undefined, name: string, input: KubeObject, subresource?: 'status'): KubeObject {
    const key = keyOf(resource, namespace, name);
    const entry = this.objects.get(key);
    if (!entry) throw new ApiError(statusErrors.notFound(resource, name));
    const current = entry.object;
    const sentUid = input.metadata?.uid;
    if (sentUid && sentUid !== current.metadata.uid)
      throw new ApiError(
        statusErrors.uidPreconditionFailed(resource, current.metadata.namespace ?? '', name, sentUid, current.metadata.uid ?? ''),
      );
    const sentVersion = input.metadata?.resourceVersion;
    if (sentVersion === undefined && resource.custom && subresource === undefined) {
      throw new ApiError(
        statusErrors.invalid(resource, name, [
          { field: 'metadata.resourceVersion', message: 'Invalid value: 0: must be specified for an update' },
        ]),
      );
    }
    if (sentVersion !== undefined && sentVersion !== current.metadata.resourceVersion)
      throw new ApiError(statusErrors.conflict(resource, name));
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...structuredClone(current), status: structuredClone(input.status ?? {}) };
    } else {
      next = structuredClone(input);
      // Immutable and server-owned fields stay; writes to the main resource ignore status.
      next.metadata = {
        ...next.metadata,
        name,
        namespace: current.metadata.namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
      };
      if (current.metadata.deletionTimestamp) next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      if (resource.statusSubresource) next.status = structuredClone(current.status);
      resource.applyDefaults?.(next);
      if (current.metadata.generation !== undefined) {
        next.metadata.generation = current.metadata.generation + (JSON.stringify(next.spec) === JSON.stringify(current.spec) ? 0 : 1);
      }
    }
    const causes = subresource === 'status' ? (resource.validateStatus?.(next, current) ?? []) : resource.validate(next);
    if (causes.length > 0) throw new ApiError(statusErrors.invalid(resource, name, causes));
    next.metadata.resourceVersion = this.nextVersion();
    next.kind = resource.kind;
    next.apiVersion = apiVersionOf(resource);
    // An object being deleted goes away once its last finalizer is removed.
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.objects.delete(key);
      this.emit({ type: 'DELETED', resource, object: this.present(resource, next) });
      return this.present(resource, next);
    }
    this.objects.set(key, { resource, object: next });
    this.emit({ type: 'MODIFIED', resource, object: this.present(resource, next) });
    return this.present(resource, next);
  }

  /** Deletes with the given (or the resource's default) propagation; returns the object if deletion is deferred. */
  delete(
    resource: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    propagation?: Propagation,
  ): { deferred: KubeObject | undefined; uid: string } {
    const key = keyOf(resource, namespace, name);
    const entry = this.objects.get(key);
    if (!entry) throw new ApiError(statusErrors.notFound(resource, name));
    const object = entry.object;
    const uid = object.metadata.uid ?? '';
    const policy = propagation ?? resource.defaultPropagation;
    const dependents = this.dependentsOf(uid);
    if (object.metadata.deletionTimestamp) return { deferred: this.present(resource, object), uid };
    if (policy === 'Background' || dependents.length === 0) {
      this.objects.delete(key);
      this.emit({ type: 'DELETED', resource, object: this.present(resource, object) });
      if (policy === 'Background') this.collectLater(dependents);
      else this.orphan(dependents, uid);
      return { deferred: undefined, uid };
    }
    object.metadata.deletionTimestamp = nowToTheSecond();
    object.metadata.finalizers = [...(object.metadata.finalizers ?? []), policy === 'Foreground' ? 'foregroundDeletion' : 'orphan'];
    object.metadata.resourceVersion = this.nextVersion();
    this.emit({ type: 'MODIFIED', resource, object: this.present(resource, object) });
    setTimeout(() => {
      if (policy === 'Foreground') for (const dependent of dependents) this.removeNow(dependent.key);
      else this.orphan(dependents, uid);
      this.removeNow(key);
    }, this.gcDelayMs).unref();
    return { deferred: this.present(resource, object), uid };
  }

  private dependentsOf(uid: string): { key: string; resource: ResourceDefinition; object: KubeObject }[] {
    return [...this.objects.entries()]
      .filter(([, entry]) => entry.object.metadata.ownerReferences?.some((owner) => owner.uid === uid))
      .map(([key, entry]) => ({ key, ...entry }));
  }

  private collectLater(dependents: { key: string }[]): void {
    if (dependents.length === 0) return;
    setTimeout(() => {
      for (const dependent of dependents) this.removeNow(dependent.key);
    }, this.gcDelayMs).unref();
  }

  private orphan(dependents: { key: string; object: KubeObject }[], ownerUid: string): void {
    for (const dependent of dependents) {
      const entry = this.objects.get(dependent.key);
      if (!entry) continue;
      entry.object.metadata.ownerReferences = entry.object.metadata.ownerReferences?.filter((owner) => owner.uid !== ownerUid);
      entry.object.metadata.resourceVersion = this.nextVersion();
    }
  }

  private removeNow(key: string): void {
    const entry = this.objects.get(key);
    if (!entry) return;
    const dependents = this.dependentsOf(entry.object.metadata.uid ?? '');
    this.objects.delete(key);
    this.emit({ type: 'DELETED', resource: entry.resource, object: this.present(entry.resource, entry.object) });
    this.collectLater(dependents);
  }

  /** Objects of a resource right now (for counters and invariants). */
  count(resource: ResourceDefinition, namespace?: string): number {
    return [...this.objects.values()].filter(
      (entry) => entry.resource === resource && (!namespace || entry.object.metadata.namespace === namespace),
    ).length;
  }
}
