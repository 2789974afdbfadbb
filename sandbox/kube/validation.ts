/** The API server's validation that matters to the executors (apimachinery util/validation, batch validation). */

export interface Cause {
  field: string;
  message: string;
  reason?: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function validateName(name: string, maxLength = 253): Cause[] {
  const causes: Cause[] = [];
  if (!name) return [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }];
  if (name.length > maxLength)
    causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": must be no more than ${maxLength} characters` });
  if (!DNS_SUBDOMAIN.test(name)) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${SUBDOMAIN_RULE}` });
  return causes;
}

export function validateNamespaceName(name: string): Cause[] {
  return DNS_LABEL.test(name) && name.length <= 63
    ? []
    : [
        {
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
        },
      ];
}

export function validateLabels(labels: unknown, field: string): Cause[] {
  if (labels === undefined || labels === null) return [];
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const [prefix, name] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : ['', key];
    if ((prefix && !DNS_SUBDOMAIN.test(prefix)) || !LABEL_NAME.test(name) || name.length > 63) {
      causes.push({ field, message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'` });
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      const reason = typeof value === 'string' && value.length > 63 ? 'must be no more than 63 characters' : LABEL_VALUE_RULE;
      causes.push({ field, message: `Invalid value: ${JSON.stringify(value)}: ${reason}` });
    }
  }
  return causes;
}

export function validateDataKeys(data: unknown, field: string, base64: boolean): Cause[] {
  if (data === undefined || data === null) return [];
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (!DATA_KEY.test(key) || key.length > 253)
      causes.push({
        field: `${field}[${key}]`,
        message: `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    if (base64 && (typeof value !== 'string' || !BASE64.test(value)))
      causes.push({ field: `${field}[${key}]`, message: 'Invalid value: illegal base64 data' });
  }
  return causes;
}

type JobLike = {
  spec?: { suspend?: boolean; template?: { spec?: { restartPolicy?: string; containers?: unknown[] } } };
  status?: {
    active?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string }[];
  };
};

export function validateJobSpec(job: JobLike): Cause[] {
  const causes: Cause[] = [];
  const podSpec = job.spec?.template?.spec;
  if (!podSpec?.containers || podSpec.containers.length === 0) {
    causes.push({ field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  }
  if (!['Never', 'OnFailure'].includes(podSpec?.restartPolicy ?? '')) {
    causes.push({
      field: 'spec.template.spec.restartPolicy',
      message: `Unsupported value: "${podSpec?.restartPolicy ?? ''}": supported values: "OnFailure", "Never"`,
      reason: 'FieldValueNotSupported',
    });
  }
  return causes;
}

/** Kubernetes ≥ 1.31 status-write rules for Jobs (reference B3), and startTime immutable once set while running. */
export function validateJobStatus(job: JobLike, current?: JobLike): Cause[] {
  const conditions = job.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.some((condition) => condition.type === type && condition.status === 'True');
  const causes: Cause[] = [];
  const finished = isTrue('Complete') || isTrue('Failed');
  if (isTrue('Complete') && !isTrue('SuccessCriteriaMet')) {
    causes.push({
      field: 'status.conditions',
      message: 'Invalid value: cannot set Complete=True condition without the SuccessCriteriaMet=true condition',
    });
  }
  if (isTrue('Failed') && !isTrue('FailureTarget')) {
    causes.push({
      field: 'status.conditions',
      message: 'Invalid value: cannot set Failed=True condition without the FailureTarget=true condition',
    });
  }
  if (finished && !job.status?.startTime)
    causes.push({
      field: 'status.startTime',
      message: 'Required value: startTime is required for finished job',
      reason: 'FieldValueRequired',
    });
  if (isTrue('Complete') && !job.status?.completionTime) {
    causes.push({
      field: 'status.completionTime',
      message: 'Required value: completionTime is required for complete job',
      reason: 'FieldValueRequired',
    });
  }
  if (finished && (job.status?.active ?? 0) > 0)
    causes.push({ field: 'status.active', message: 'Invalid value: active>0 is invalid for finished job' });
  const previousStart = current?.status?.startTime;
  if (previousStart && !job.spec?.suspend && job.status?.startTime !== previousStart) {
    causes.push({
      field: 'status.startTime',
      message: `Invalid value: ${JSON.stringify(job.status?.startTime ?? null)}: field is immutable for unsuspended job once set`,
    });
  }
  return causes;
}
