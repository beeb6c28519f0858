import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * GenCharge's development super-admin: the platform seed creates `admin@gencharge.local` (role
 * admin, the development password); here it joins the Super Admin role, which the migration
 * created with every permission.
 */
export async function seedGenCharge(em: EntityManager): Promise<void> {
  await em.execute(
    `insert into gencharge_admins (user_id, name, phone, role_id)
     select u.id, 'GenCharge Admin', '+919999999999', r.id
     from users u cross join gencharge_roles r
     where u.tenant = 'gencharge' and u.email = 'admin@gencharge.local' and u.deleted_at is null and r.super_admin
     on conflict do nothing`,
  );
}
