import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { REQUEST_ID_HEADER } from '../workflows/contracts.js';

/** Workflow-side interceptors, bundled with the workflow code. */
export const WORKFLOW_INTERCEPTOR_MODULES = [new URL('../workflows/interceptors.ts', import.meta.url).pathname];

/** Adds the request id the flow passed in its activity header to the activity's log lines. */
export const requestIdInActivityLogs: ActivityInterceptorsFactory = () => {
  let requestId: unknown;
  return {
    inbound: {
      execute(input, next) {
        const header = input.headers[REQUEST_ID_HEADER];
        requestId = header ? defaultPayloadConverter.fromPayload(header) : undefined;
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next(typeof requestId === 'string' ? { ...input, requestId } : input);
      },
    },
  };
};
