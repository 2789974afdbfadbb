import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { sampleRequest } from '../support/requests.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../artifacts/screenshots/', import.meta.url).pathname;

describe('Temporal Web UI in headless Chromium: executions found by their search attributes', {
  skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}`,
}, () => {
  let env: ExecutionEnvironment;
  let browser: Browser;
  const started: { engine: string; workflowId: string; wfe: string }[] = [];
  before(async () => {
    env = await startExecutionEnvironment({ awx: true });
    for (const engine of ['job', 'tekton', 'ansible'] as const) {
      const request = sampleRequest({ engine, policy: { pollInitialMs: 100, pollMaxMs: 200 } });
      const { workflowId } = await env.executions.startExecution(request);
      started.push({ engine, workflowId, wfe: request.workflowExecution.metadata.name });
    }
    for (const { workflowId } of started) assert.equal((await env.executions.waitForResult(workflowId)).phase, 'Completed');
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Never a downloaded browser: Debian's chromium, without the background traffic a closed network refuses.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await env?.stop();
  });

  const ui = () => {
    const url = process.env.TEST_TEMPORAL_UI_URL;
    assert.ok(url, 'the global dev server runs with its Web UI');
    return url;
  };

  test('the workflow list filtered by ExecutionEngine shows the executions just run, with their search attributes', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    try {
      for (const { engine, workflowId } of started) {
        const query = `ExecutionEngine="${engine}" AND TaskQueue="${env.taskQueue}"`;
        await page.goto(`${ui()}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
        await page.getByText(workflowId).first().waitFor({ timeout: 30_000 });
        const others = started.filter((other) => other.engine !== engine);
        for (const other of others)
          assert.equal(await page.getByText(other.workflowId).count(), 0, `${other.engine} filtered out of the ${engine} list`);
        await page.screenshot({ path: `${SCREENSHOTS}workflows-${engine}.png`, fullPage: true });
      }
    } finally {
      await page.close();
    }
  });

  test("an execution's page shows its summary (engine, workflow, target) from the start's user metadata", async () => {
    const { workflowId, engine } = started[1] ?? assert.fail('no execution');
    const description = await env.client.workflow.getHandle(workflowId).describe();
    const summary = (await description.staticSummary()) ?? '';
    assert.match(summary, new RegExp(`^${engine}: restart-deployment on default/deployment/app-`));
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    try {
      await page.goto(`${ui()}/namespaces/default/workflows/${workflowId}/${description.runId}/history`);
      await page.getByText(summary).first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${SCREENSHOTS}execution-summary-${engine}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  test("an execution's page shows it Completed, with ExecutionPhase and the other search attributes", async () => {
    const { workflowId, wfe, engine } = started[0] ?? assert.fail('no execution');
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
    try {
      const description = await env.client.workflow.getHandle(workflowId).describe();
      await page.goto(`${ui()}/namespaces/default/workflows/${workflowId}/${description.runId}/history`);
      await page.getByText('Completed').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${SCREENSHOTS}execution-${engine}.png`, fullPage: true });
      // The search attributes are listed on the page (expanded with the "Search Attributes" / metadata section).
      const toggle = page.getByText(/Search Attributes/i).first();
      if (await toggle.count()) await toggle.click().catch(() => undefined);
      for (const expected of ['ExecutionPhase', 'ExecutionEngine', 'WorkflowExecutionName', wfe]) {
        await page.getByText(expected).first().waitFor({ timeout: 15_000 });
      }
      await page.screenshot({ path: `${SCREENSHOTS}execution-${engine}-search-attributes.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });
});
