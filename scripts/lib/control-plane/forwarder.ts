/**
 * Carries TCP connections across the network namespace boundary through Unix sockets (a socket file is reachable from
 * every namespace). Two halves, each its own process:
 *   node forwarder.ts inside  <socket-dir> <port>…  (in the namespace)  <socket-dir>/<port>.sock → 127.0.0.1:<port>
 *   node forwarder.ts outside <socket-dir> <port>…  (on the host)       127.0.0.1:<free port> → <socket-dir>/<port>.sock
 * The outside half prints one JSON line {"<port>": <host port>, …} once it listens. TLS passes through untouched.
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

const [mode, socketDir, ...ports] = process.argv.slice(2);

function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', close);
  b.on('error', close);
  a.on('close', close);
  b.on('close', close);
}

const listen = (server: Server, ...at: [string] | [number, string]) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(...(at as [number, string]), () => resolve());
  });

if ((mode !== 'inside' && mode !== 'outside') || !socketDir || ports.length === 0) {
  process.stderr.write('usage: forwarder.ts inside|outside <socket-dir> <port>…\n');
  process.exit(2);
}

const listening: Record<string, number> = {};
for (const port of ports) {
  const socketPath = join(socketDir, `${port}.sock`);
  if (mode === 'inside') {
    rmSync(socketPath, { force: true });
    await listen(
      createServer((socket) => splice(socket, connect(Number(port), '127.0.0.1'))),
      socketPath,
    );
  } else {
    const server = createServer((socket) => splice(socket, connect(socketPath)));
    await listen(server, 0, '127.0.0.1');
    listening[port] = (server.address() as { port: number }).port;
  }
}
process.stdout.write(`${JSON.stringify(mode === 'outside' ? listening : { inside: ports })}\n`);
