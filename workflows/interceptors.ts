import { defaultPayloadConverter } from '@temporalio/common';
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REQUEST_ID_HEADER } from './contracts.js';

function requestIdOfFlow(): string | undefined {
  const id = workflowInfo().memo?.requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Carries the request id from the flow's memo into its own log lines and, as a header, into
 * every activity it schedules, so a request can be followed from the API into the worker.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes(input, next) {
        const requestId = requestIdOfFlow();
        return next(requestId ? { ...input, requestId } : input);
      },
      scheduleActivity(input, next) {
        const requestId = requestIdOfFlow();
        if (!requestId) return next(input);
        return next({ ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } });
      },
    },
  ],
});
