import express from 'express';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';

async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness says the process runs; readiness says Postgres and Temporal answer. */
export function createHealthRouter(deps: { em: EntityManager; temporal: Client; namespace: string }): express.Router {
  const router = express.Router();
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      check(() => deps.em.fork().execute('select 1')),
      check(() => deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace })),
    ]);
    const ready = postgres === 'ok' && temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: { postgres, temporal } });
  });
  return router;
}
