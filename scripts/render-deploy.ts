/**
 * Writes deploy/kubernaut-temporal-executor.yaml: the Helm chart rendered with its default values, for `kubectl apply`
 * without Helm. A test fails when the file and the chart drift apart.   Usage: npm run render-deploy
 */
import { writeFileSync } from 'node:fs';
import { renderChart } from './lib/chart.ts';
import { ensureHelm } from './lib/helm.ts';

const helm =
  (await ensureHelm()) ??
  (() => {
    throw new Error('helm is needed: put it on PATH or install Go to build it');
  })();
writeFileSync(new URL('../deploy/kubernaut-temporal-executor.yaml', import.meta.url), await renderChart(helm));
process.stdout.write('wrote deploy/kubernaut-temporal-executor.yaml\n');
