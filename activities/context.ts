import { Context } from '@temporalio/activity';

/** The ID of the flow running this activity: the root of every ledger key it writes. */
export function currentWorkflowId(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error('this activity must run inside a workflow');
  return id;
}
