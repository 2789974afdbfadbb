/** What the CLI prints: text for people, JSON or YAML for scripts. */
import { stringify as toYaml } from 'yaml';
import type { ExecutionView } from '../client.ts';
import type { ExecutionResult } from '../domain/types.ts';

export type OutputFormat = 'text' | 'json' | 'yaml';

/** A value as JSON or YAML (text output is each command's own). */
export function structured(format: Exclude<OutputFormat, 'text'>, value: unknown): string {
  return format === 'yaml' ? toYaml(value) : `${JSON.stringify(value, null, 2)}\n`;
}

export function resultText(workflowId: string, result: ExecutionResult): string {
  const lines = [`${workflowId}: ${result.phase} (${result.reason}) ${result.message}`];
  if (result.cleanup) lines.push(`cleanup incomplete, left for the orphan sweeper: ${result.cleanup.left.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function statusText(view: ExecutionView, queryError?: string): string {
  const status = view.status;
  const lines = [
    `${view.workflowId}  ${view.workflowStatus}  engine=${view.engine} phase=${view.phase} wfe=${view.workflowExecutionName}`,
    `target:   ${view.targetResource}`,
  ];
  if (status) {
    const resource = status.handle ? `${status.handle.executionNamespace}/${status.handle.resourceName}` : '-';
    lines.push(`status:   ${status.phase} (${status.reason}) ${status.message}`);
    lines.push(`resource: ${resource}   polls: ${status.polls}   cleanup: ${status.cleanup?.state ?? '-'}`);
    if (status.cleanup?.left?.length) lines.push(`left:     ${status.cleanup.left.join(', ')} (the orphan sweeper removes it)`);
    if (status.stuck) lines.push(`stuck:    ${status.stuck.reason} since ${status.stuck.since}: ${status.stuck.message}`);
  } else {
    lines.push(`status:   (no answer to the status query${queryError ? `: ${queryError}` : ''}; is a worker polling the task queue?)`);
  }
  lines.push(`started:  ${view.startTime.toISOString()}${view.closeTime ? `   closed: ${view.closeTime.toISOString()}` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** A table with a header; columns as wide as their widest cell. */
export function listText(views: readonly ExecutionView[]): string {
  const header = ['WORKFLOW ID', 'STATUS', 'ENGINE', 'PHASE', 'WORKFLOW EXECUTION', 'TARGET'];
  const rows = views.map((view) => [
    view.workflowId,
    view.workflowStatus,
    String(view.engine ?? '-'),
    String(view.phase ?? '-'),
    String(view.workflowExecutionName ?? '-'),
    String(view.targetResource ?? '-'),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
