import { DomainError, FailureType } from '../../core/errors.js';
import type { FaultMode, SandboxProviderName } from '../types.js';

export type FaultOutcome = 'success' | 'failed';

export interface FaultPlan {
  provider: SandboxProviderName;
  mode: FaultMode;
  /** How many of the next calls the fault applies to. */
  count: number;
  /** What the provider really did behind a timeout or a pending answer. */
  outcome?: FaultOutcome;
}

export interface Fault {
  mode: Exclude<FaultMode, 'none'>;
  outcome: FaultOutcome;
}

/** Faults the sandbox providers inject into their next calls, so failure paths can be exercised. */
export class SandboxFaults {
  readonly #planned = new Map<SandboxProviderName, Fault & { remaining: number }>();

  set({ provider, mode, count, outcome = 'success' }: FaultPlan): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new DomainError(FailureType.Validation, 'fault count must be a whole number, zero or more', { count });
    }
    if (mode === 'none' || count === 0) {
      this.#planned.delete(provider);
      return;
    }
    this.#planned.set(provider, { mode, outcome, remaining: count });
  }

  /** What is planned now, per provider, with how many calls it still applies to. */
  planned(): Array<Fault & { provider: SandboxProviderName; remaining: number }> {
    return [...this.#planned].map(([provider, fault]) => ({ provider, ...fault }));
  }

  peek(provider: SandboxProviderName): Fault | undefined {
    const planned = this.#planned.get(provider);
    return planned && { mode: planned.mode, outcome: planned.outcome };
  }

  take(provider: SandboxProviderName): Fault | undefined {
    const planned = this.#planned.get(provider);
    if (!planned) return undefined;
    planned.remaining -= 1;
    if (planned.remaining === 0) this.#planned.delete(provider);
    return { mode: planned.mode, outcome: planned.outcome };
  }
}
