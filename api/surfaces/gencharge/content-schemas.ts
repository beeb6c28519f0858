import { z } from '../../openapi.js';
import { QueryFlag } from './catalogue-schemas.js';
import { DocumentId } from './document-id.js';
import { DateBound, pagedQuery, listQuery, pageSchema } from './listing.js';
import { Email, NUL, noNul, PersonName } from './schemas.js';

/** Content and contact-form requests and answers, as the spec shows them. */

/** The spec's 24-hex `_id`; anything else in a path is a 422 like FastAPI's. */

/** Free text a person wrote: trimmed, never empty, no NUL (Postgres refuses it). */
const Text = (max: number) => z.string().refine(noNul, NUL).trim().min(1).max(max);

const ContentType = Text(50).openapi({ description: 'What kind of content this is (FAQ, BANNER, TERMS...); free text, kept as sent', example: 'FAQ' });
const Title = Text(200).openapi({ example: 'Help' });
const Body = Text(20_000).openapi({ example: 'How can we help?' });

export const ContentIdParams = z.object({ content_id: DocumentId });

export const ContentCreateFields = z.object({ content_type: ContentType, title: Title, body: Body });
export const ContentUpdateFields = ContentCreateFields.partial();
export type ContentCreate = z.infer<typeof ContentCreateFields>;
export type ContentUpdate = z.infer<typeof ContentUpdateFields>;

const imageField = (description: string) => z.any().openapi({ type: 'string', format: 'binary', description });

/** The multipart body as OpenAPI shows it; the fields are validated by ContentCreateFields, the image by its bytes. */
export const ContentCreateBody = z
  .object({ content_type: ContentType, title: Title, body: Body, image: imageField('Optional. PNG, JPEG or WebP (checked from its content), at most GENCHARGE_CONTENT_MAX_IMAGE_BYTES (2 MB)').optional() })
  .openapi('GenChargeContentCreateRequest');

export const ContentUpdateBody = ContentCreateBody.partial().openapi('GenChargeContentUpdateRequest', {
  description: 'Only what changes; a new image replaces the old one, whose file is removed.',
});

const Timestamp = z.string().openapi({ format: 'date-time', example: '2025-11-10T10:00:00.000Z' });
const ImageUrl = z.string().nullable().openapi({ description: 'Where the image is served (GET, no sign-in); null without an image', example: '/gencharge/static/uploads/507f1f77bcf86cd799439011-3f1c2a9b7d4e.png' });

export const Content = z
  .object({
    _id: z.string().openapi({ example: '507f1f77bcf86cd799439011' }),
    content_type: z.string(),
    title: z.string(),
    body: z.string(),
    image_url: ImageUrl,
    image_filename: z.string().nullable(),
    created_by: z.number().int().nullable().openapi({ description: "The author's admin id" }),
    created_at: Timestamp,
    updated_at: Timestamp,
    updated_by: z.number().int().nullable().openapi({ description: 'The admin who changed it last' }),
  })
  .openapi('GenChargeContent');

export const PublicContent = z
  .object({ _id: z.string(), content_type: z.string(), title: z.string(), body: z.string(), image_url: ImageUrl })
  .openapi('GenChargePublicContent');


export const ContentQuery = pagedQuery({
  content_type: z.string().max(50).optional().openapi({ description: 'Exactly this content type' }),
  title: z.string().max(200).optional().openapi({ description: 'Part of the title (case-insensitive)' }),
  start_date: DateBound.optional().openapi({ description: 'Created at or after: a day (from its start in IST) or an ISO date-time' }),
  end_date: DateBound.optional().openapi({ description: 'Created at or before: a day (through its end in IST) or an ISO date-time' }),
});
export type ContentFilters = z.infer<typeof ContentQuery>;

export const PublicContentQuery = pagedQuery({
  content_type: z.string().max(50).optional().openapi({ description: 'Exactly this content type' }),
});

export const ContentPage = pageSchema('items', Content).openapi('GenChargeContentPage');
export const PublicContentPage = pageSchema('items', PublicContent).openapi('GenChargePublicContentPage');

// Contact form

export const ContactIdParams = z.object({ contact_id: DocumentId });

export const ContactBody = z
  .object({ name: PersonName.openapi({ example: 'User' }), email: Email, description: Text(2000).openapi({ example: 'I need help' }) })
  .openapi('GenChargeContactRequest');
export type ContactCreate = z.infer<typeof ContactBody>;

export const Contact = z
  .object({
    name: z.string(),
    email: z.string(),
    description: z.string(),
    _id: z.string().openapi({ example: '507f1f77bcf86cd799439011' }),
    created_at: Timestamp,
    resolved: z.boolean(),
  })
  .openapi('GenChargeContact');

export const AdminContact = Contact.extend({
  resolved_at: Timestamp.nullable().openapi({ description: 'When it was marked resolved; null while open' }),
  resolved_by: z.number().int().nullable().openapi({ description: 'The admin who marked it resolved' }),
}).openapi('GenChargeAdminContact');

export const ResolvedBody = z.object({ resolved: z.boolean() }).openapi('GenChargeContactResolvedRequest');

export const ContactsQuery = listQuery(
  {
    resolved: QueryFlag.optional().openapi({ description: 'true: resolved only; false: open only' }),
    email: z.string().max(254).optional().openapi({ description: 'Part of the email address (case-insensitive)' }),
  },
  ['created_at', 'name', 'email', 'resolved'],
  'created_at',
);
export type ContactFilters = z.infer<typeof ContactsQuery>;
