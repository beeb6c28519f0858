import express from 'express';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../core/logger.js';

type CheckResult = 'ok' | 'unavailable';

/** Answers only ok or unavailable: the real error (hosts, ports, driver text) goes to the log. */
async function check(name: string, probe: () => Promise<unknown>, log: Logger, timeoutMs = 2000): Promise<CheckResult> {
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
    log.warn({ err, check: name }, 'readiness check failed');
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness says the process runs; readiness says Postgres and Temporal answer. */
export function createHealthRouter(deps: { em: EntityManager; temporal: Client; namespace: string; logger?: Logger }): express.Router {
  const router = express.Router();
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (req, res) => {
    const log = req.log ?? deps.logger;
    const [postgres, temporal] = await Promise.all([
      check('postgres', () => deps.em.fork().execute('select 1'), log),
      check('temporal', () => deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace }), log),
    ]);
    const ready = postgres === 'ok' && temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: { postgres, temporal } });
  });
  return router;
}
