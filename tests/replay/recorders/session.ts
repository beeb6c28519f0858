import type { TestPlatform } from '../../support/platform.js';

/** What each app's recorder gets: a running platform and a way to save a finished flow's history. */
export interface RecordingSession {
  platform: TestPlatform;
  /** Waits for the workflow to close, then writes its history as `<name>.json`. */
  record(name: string, workflowId: string): Promise<void>;
  /** The workflow behind a wallet transaction's reference. */
  workflowIdOf(reference: string): Promise<string>;
}
