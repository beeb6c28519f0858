import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { initORM, migrate } from './orm.js';
import { seedDevelopment } from './seed.js';

/** Applies pending migrations; outside production also the idempotent development seeds. */
export async function migrateAndSeed(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'migrate');
  const orm = await initORM(config.DATABASE_URL);
  try {
    const applied = await migrate(orm);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    if (config.NODE_ENV !== 'production' && config.SEED_ADMIN_PASSWORD) {
      await seedDevelopment(orm.em.fork(), { adminPassword: config.SEED_ADMIN_PASSWORD });
      logger.info('development seeds in place');
    }
  } finally {
    await orm.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  migrateAndSeed().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
