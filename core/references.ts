import type { EntityManager } from '@mikro-orm/postgresql';

/** How a tenant's numbering of one kind starts; reference formats are each surface's own. */
export interface ReferenceKind {
  kind: string;
  /** The first number handed out. */
  startAt: number;
}

/**
 * The next number in a tenant's sequence of one kind. Each call commits on its own, so a number
 * is never handed out twice; like a database sequence, a number whose request then fails is skipped.
 */
export async function nextReferenceNumber(em: EntityManager, tenant: string, { kind, startAt }: ReferenceKind): Promise<number> {
  const [row] = await em.fork().execute<{ last_value: string }[]>(
    `insert into reference_sequences (tenant, kind, last_value) values (?, ?, ?)
     on conflict (tenant, kind) do update set last_value = reference_sequences.last_value + 1
     returning last_value`,
    [tenant, kind, startAt],
  );
  return Number(row!.last_value);
}
