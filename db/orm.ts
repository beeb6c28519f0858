import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export type Orm = MikroORM;

export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return {
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    // Jest prints every console line with a stack; the migrator's progress would bury the results.
    migrations: { migrationsList: MIGRATIONS, transactional: true, snapshot: false, silent: process.env.NODE_ENV === 'test' },
    pool: { max: 10 },
    debug: false,
    allowGlobalContext: false,
    ...overrides,
  };
}

/** Tests and tools pass overrides (their own database, pool size) instead of mutating globals. */
export async function initORM(databaseUrl: string, overrides: Partial<Options> = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(databaseUrl, overrides));
}

export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}
