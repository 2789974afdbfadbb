/**
 * Why a Job's pod cannot start, when it never will without someone intervening: a bad image, a missing Secret or
 * ConfigMap key, a volume that cannot mount (a missing dependency Secret). The Job itself only fails at its
 * activeDeadlineSeconds; seeing this lets the execution fail fast with the pod's own reason and message.
 */

export interface PodLike {
  metadata?: { name?: string };
  status?: {
    phase?: string;
    containerStatuses?: { name?: string; state?: { waiting?: { reason?: string; message?: string } } }[];
    initContainerStatuses?: { name?: string; state?: { waiting?: { reason?: string; message?: string } } }[];
  };
}

export interface EventLike {
  reason?: string;
  message?: string;
  involvedObject?: { name?: string; kind?: string };
}

/** Waiting reasons that do not go away by waiting (ErrImagePull alone can be a transient registry failure). */
export const STUCK_WAITING_REASONS: ReadonlySet<string> = new Set(['ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError']);
/** Pod events that mean the pod cannot start. */
export const STUCK_EVENT_REASONS: ReadonlySet<string> = new Set(['FailedMount']);

export interface StuckPod {
  reason: string;
  message: string;
}

export function diagnoseStuckPod(pods: readonly PodLike[], events: readonly EventLike[]): StuckPod | undefined {
  for (const pod of pods) {
    const podName = pod.metadata?.name ?? '';
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const status of statuses) {
      const waiting = status.state?.waiting;
      if (waiting?.reason && STUCK_WAITING_REASONS.has(waiting.reason)) {
        return { reason: waiting.reason, message: `pod ${podName} container ${status.name ?? ''}: ${waiting.message ?? waiting.reason}` };
      }
    }
    if (pod.status?.phase === 'Pending') {
      const event = events.find((entry) => entry.involvedObject?.name === podName && entry.reason && STUCK_EVENT_REASONS.has(entry.reason));
      if (event?.reason) return { reason: event.reason, message: `pod ${podName}: ${event.message ?? event.reason}` };
    }
  }
  return undefined;
}
