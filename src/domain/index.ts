/** The pure, deterministic core: safe to import from workflow code (resource-name.ts is not: it uses node:crypto). */
export * from './awx-credentials.ts';
export * from './awx-status.ts';
export * from './constants.ts';
export * from './duration.ts';
export * from './errors.ts';
export * from './extra-vars.ts';
export * from './job-status.ts';
export * from './labels.ts';
export * from './manifests.ts';
export * from './pipelinerun-status.ts';
export * from './pod-diagnosis.ts';
export * from './policy.ts';
export * from './types.ts';
export * from './validate.ts';
