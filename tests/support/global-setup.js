// Jest loads global setup with Node's own loader, which does not map `.js` imports to TypeScript
// sources; tsx does, so the real setup lives in stack.ts.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startTestStack } = await tsImport('./stack.ts', import.meta.url);
  await startTestStack();
}
