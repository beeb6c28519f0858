/**
 * Prints the SQL that would bring a database built by the migrations in line with the entities:
 * the body of the next migration. Usage: npm run schema:diff -- postgres://user@host:port/empty_db
 * (an empty database of your own; it is migrated first).
 */
import { initORM, migrate } from '../db/orm.js';

const url = process.argv[2];
if (!url) throw new Error('usage: npm run schema:diff -- <database url of an empty database>');
const orm = await initORM(url);
try {
  await migrate(orm);
  process.stdout.write(`${await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true })}\n`);
} finally {
  await orm.close();
}
