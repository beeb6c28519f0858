import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

/**
 * A piece of app content (an FAQ, a banner, a help page) an admin publishes; `GET /content`
 * shows every row to anyone. The `id` is the spec's 24-hex `_id`. `imageFilename` names the image
 * in content storage (each upload gets a new name, so an image URL never changes what it shows).
 * Authors are admins' user ids; an account that goes away leaves its content in place.
 */
export const GenChargeContent = defineEntity({
  name: 'GenChargeContent',
  tableName: 'gencharge_content',
  indexes: [{ name: 'gencharge_content_type_created_index', expression: 'create index "gencharge_content_type_created_index" on "gencharge_content" ("content_type", "created_at" desc, "id" desc)' }],
  properties: {
    id: p.string().length(24).primary(),
    contentType: p.string().length(50),
    title: p.string().length(200),
    body: p.text(),
    imageFilename: p.string().length(100).nullable().unique(),
    createdBy: p.manyToOne(User).mapToPk().fieldName('created_by').foreignKeyName('gencharge_content_created_by_fk').deleteRule('set null').nullable(),
    updatedBy: p.manyToOne(User).mapToPk().fieldName('updated_by').foreignKeyName('gencharge_content_updated_by_fk').deleteRule('set null').nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/**
 * A message sent through the app's public contact form. Admins resolve it; who did and when is
 * kept (and cleared again when it is reopened).
 */
export const GenChargeContact = defineEntity({
  name: 'GenChargeContact',
  tableName: 'gencharge_contacts',
  indexes: [{ name: 'gencharge_contacts_resolved_created_index', expression: 'create index "gencharge_contacts_resolved_created_index" on "gencharge_contacts" ("resolved", "created_at" desc, "id" desc)' }],
  properties: {
    id: p.string().length(24).primary(),
    name: p.string().length(100),
    email: p.string().length(254).index(),
    description: p.text(),
    resolved: p.boolean().default(false),
    resolvedAt: p.datetime().nullable(),
    resolvedBy: p.manyToOne(User).mapToPk().fieldName('resolved_by').foreignKeyName('gencharge_contacts_resolved_by_fk').deleteRule('set null').nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
