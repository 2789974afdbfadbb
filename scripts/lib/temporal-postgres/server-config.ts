/**
 * The Temporal server's static configuration (config/development.yaml) and its file-based dynamic configuration: the
 * PostgreSQL persistence and SQL advanced visibility stores, every service's ports on 127.0.0.1, 4 history shards
 * (what temporalio/auto-setup and docker-compose use; fixed once the database exists), archival off. The same
 * settings docker/config_template.yaml of the module renders from DB=postgres12 and POSTGRES_* in the
 * temporalio/server image.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Postgres } from './postgres.ts';
import { PERSISTENCE_DATABASE, SQL_PLUGIN, VISIBILITY_DATABASE } from './schema.ts';

export const NUM_HISTORY_SHARDS = 4;
const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  /** gRPC and ringpop membership port of each service. */
  services: Record<(typeof SERVICES)[number], { grpc: number; membership: number }>;
}

/**
 * Free ports for the server. The cluster_membership table stores each service's port as a PostgreSQL smallint, so
 * every port must be below 32768 (the kernel's ephemeral range starts above it): random ones in 10000–32767, held
 * open together while they are chosen so that none is handed out twice.
 */
export async function chooseServerPorts(frontend?: number): Promise<ServerPorts> {
  const held: Server[] = [];
  const ports: number[] = [];
  while (ports.length < SERVICES.length * 2 + 1) {
    const port = 10_000 + Math.floor(Math.random() * 22_768);
    if (port === frontend || ports.includes(port)) continue;
    const server = createServer();
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) {
      held.push(server);
      ports.push(port);
    }
  }
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  const take = () => ports.shift() as number;
  const services = {} as ServerPorts['services'];
  for (const service of SERVICES) services[service] = { grpc: service === 'frontend' && frontend ? frontend : take(), membership: take() };
  return { frontend: services.frontend.grpc, frontendHttp: take(), services };
}

/** Values of the dynamic configuration; each becomes one unconstrained entry of the file. */
export type DynamicConfig = Record<string, unknown>;

/** Writes config/development.yaml and the dynamic config file under `root`; returns the config folder. */
export function writeServerConfig(
  root: string,
  postgres: Postgres,
  ports: ServerPorts,
  dynamicConfig: DynamicConfig,
  logLevel = 'warn',
): string {
  const configDir = join(root, 'config');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const config = {
    log: { stdout: true, level: logLevel },
    persistence: {
      numHistoryShards: NUM_HISTORY_SHARDS,
      defaultStore: 'default',
      visibilityStore: 'visibility',
      datastores: { default: sql(PERSISTENCE_DATABASE, 20), visibility: sql(VISIBILITY_DATABASE, 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' }, pprof: { port: 0 } },
    services: Object.fromEntries(
      SERVICES.map((service) => [
        service,
        {
          rpc: {
            grpcPort: ports.services[service].grpc,
            membershipPort: ports.services[service].membership,
            bindOnIP: '127.0.0.1',
            ...(service === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
          },
        },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
          httpAddress: `127.0.0.1:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfigPath(root), pollInterval: '5s' },
  };
  // The file holds the database password: readable by us only.
  writeFileSync(join(configDir, 'development.yaml'), stringify(config), { mode: 0o600 });
  writeDynamicConfig(root, dynamicConfig);
  return configDir;
}

export const dynamicConfigPath = (root: string): string => join(root, 'config', 'dynamicconfig.yaml');

/** (Re)writes the dynamic configuration; a running server picks a change up within its 5 s poll interval. */
export function writeDynamicConfig(root: string, values: DynamicConfig): void {
  const file = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value, constraints: {} }]]));
  writeFileSync(dynamicConfigPath(root), Object.keys(file).length ? stringify(file) : '{}\n');
}
