/**
 * Temporal's time-skipping test server (the Java SDK's io.temporal:temporal-test-server, from Maven Central), for the
 * fast workflow tests: run on the machine's JDK from .tools/temporal-test-server (git-ignored), fetched with Maven once.
 * The SDK's own download of it cannot be reached everywhere; Maven Central can.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

export const TEST_SERVER_VERSION = '1.31.0';
const HOME = join(PROJECT_ROOT, '.tools', `temporal-test-server-${TEST_SERVER_VERSION}`);
const LAUNCHER = join(HOME, 'temporal-test-server');

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>temporal-test-server-fetch</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency>
  </dependencies>
</project>
`;

function works(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** The launcher's path if it is there (the SDK runs it as `<path> <port> …`). */
export function findTestServer(): string | undefined {
  try {
    accessSync(LAUNCHER, constants.X_OK);
    return readdirSync(join(HOME, 'lib')).some((name) => name.startsWith('temporal-test-server')) ? LAUNCHER : undefined;
  } catch {
    return undefined;
  }
}

/** The launcher, fetched with Maven when missing; undefined (with the reason logged) without a JDK or Maven. */
export function ensureTestServer(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string | undefined {
  const found = findTestServer();
  if (found) return found;
  if (!works('java', ['-version']) || !works('mvn', ['-v'])) {
    log('the time-skipping test server needs a JDK (17+) and Maven: the fast workflow tests are skipped');
    return undefined;
  }
  mkdirSync(HOME, { recursive: true });
  writeFileSync(join(HOME, 'pom.xml'), POM);
  const started = Date.now();
  const fetched = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(HOME, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(HOME, 'lib')}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (fetched.status !== 0 || !existsSync(join(HOME, 'lib')))
    throw new Error(`fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven failed`);
  writeFileSync(LAUNCHER, '#!/bin/sh\nexec java -cp "$(dirname "$0")/lib/*" io.temporal.testserver.TestServer "$@"\n', { mode: 0o755 });
  log(`Fetched the time-skipping test server ${TEST_SERVER_VERSION} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return LAUNCHER;
}
