import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The last CLI tag that `go install module@version` accepts (later tags carry a replace directive). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'fintech-platform', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, `temporal` on PATH, the cached build, or a fresh
 * `go install` into the cache. Returns undefined when none of these works, so callers can fall
 * back to the SDK's own download on machines with internet.
 */
export function resolveTemporalCli(log: (msg: string) => void = () => {}): string | undefined {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} does not exist`);
    return explicit;
  }
  const found = onPath('temporal');
  if (found) return found;
  const dir = cacheDir();
  const cached = join(dir, 'temporal');
  if (existsSync(cached)) return cached;
  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) return undefined;
  mkdirSync(dir, { recursive: true });
  log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only, a few minutes)`);
  const started = Date.now();
  const result = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: dir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !existsSync(cached)) {
    throw new Error(`go install of the Temporal CLI failed (exit ${result.status})`);
  }
  log(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)}s`);
  return cached;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cli = resolveTemporalCli((msg) => process.stdout.write(`${msg}\n`));
  if (!cli) {
    process.stderr.write('no Temporal CLI found and no Go toolchain to build one; set TEMPORAL_CLI_PATH\n');
    process.exit(1);
  }
  process.stdout.write(`Temporal CLI: ${cli}\n`);
}
