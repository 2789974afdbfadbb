/** The environment of a worker child process that chaos and explore runs start (AWX is always the sandbox). */
export interface WorkerEnvOptions {
  temporalAddress: string;
  namespace: string;
  kubeconfigPath: string;
  awx: { url: string; token: string };
  awxCaFile: string;
  workflowBundlePath: string;
}

export function childWorkerEnv(options: WorkerEnvOptions, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: options.namespace,
    KUBECONFIG: options.kubeconfigPath,
    AWX_URL: options.awx.url,
    AWX_TOKEN: options.awx.token,
    AWX_CA_FILE: options.awxCaFile,
    // Prebuilt, so that a restarted worker is polling within a second or two.
    WORKFLOW_BUNDLE_PATH: options.workflowBundlePath,
    METRICS_BIND_ADDRESS: 'off',
    LOG_LEVEL: 'INFO',
    SHUTDOWN_GRACE_MS: '1000',
    // The orphan sweeper is not under test here: no schedule per task queue.
    SWEEPER_SCHEDULE: 'off',
    ...extra,
  };
}
