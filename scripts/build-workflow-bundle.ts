import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../worker/interceptors.js';

/**
 * Bundles the workflow code and its interceptors once, at image build time, so a production
 * worker loads the bundle (`WORKFLOW_BUNDLE_PATH`) instead of running webpack on TypeScript
 * sources at every start.
 */
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const bundle = await bundleWorkflowCode({
    workflowsPath: new URL('../workflows/index.ts', import.meta.url).pathname,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bundle.code);
  process.stdout.write(`workflow bundle written to ${out} (${Math.round(bundle.code.length / 1024)} KiB)\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
