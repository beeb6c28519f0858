import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'superagent';
import type request from 'supertest';
import { uniqueId } from '../support/db.js';
import { GC, gencharge, todayInIndia, newClient, type GenChargeSession } from '../support/gencharge.js';
import { ISO, HEX_ID } from '../support/matchers.js';
import { genchargeAdmins } from '../support/gencharge-admins.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;
let admin: GenChargeSession;
let imagesDir: string;

const MAX_IMAGE_BYTES = 4096;
const CONTACTS_PER_CLIENT = 3;

beforeAll(async () => {
  const storageDir = join(process.env.TEST_DATA_DIR ?? '.data/test', `content-${randomUUID()}`);
  imagesDir = join(storageDir, 'gencharge', 'content');
  platform = await startTestPlatform({
    GENCHARGE_CONTENT_STORAGE_DIR: storageDir,
    GENCHARGE_CONTENT_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
    GENCHARGE_CONTACT_RATE_LIMIT_PER_CLIENT: String(CONTACTS_PER_CLIENT),
  });
  gc = gencharge(platform);
  admin = await gc.superAdmin();
});
afterAll(async () => {
  await platform.stop();
});

/** Real 1x1 images of each accepted type. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
  'base64',
);
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

interface Image {
  bytes: Buffer;
  filename: string;
  contentType: string;
}
const png = (filename = 'faq.png'): Image => ({ bytes: PNG, filename, contentType: 'image/png' });

/** A multipart request with these text fields and, when given, an image. */
function form(req: request.Test, fields: Record<string, string>, image?: Image, field = 'image'): request.Test {
  for (const [name, value] of Object.entries(fields)) req.field(name, value);
  if (image) req.attach(field, image.bytes, { filename: image.filename, contentType: image.contentType });
  return req;
}

const createContent = (fields: Record<string, string>, image?: Image, session: GenChargeSession = admin) =>
  form(gc.api().post(`${GC}/content/admin`).set(session.auth), fields, image);
const editContent = (id: string, fields: Record<string, string>, image?: Image) => form(gc.api().put(`${GC}/content/admin/${id}`).set(admin.auth), fields, image);

async function newContent(fields: Partial<Record<'content_type' | 'title' | 'body', string>> = {}, image?: Image) {
  const res = await createContent({ content_type: 'FAQ', title: uniqueId('Help'), body: 'How can we help?', ...fields }, image);
  expect(res.status).toBe(201);
  return res.body as { _id: string; image_url: string | null; image_filename: string | null; title: string; content_type: string };
}

/** GET an image URL, reading the body as bytes whatever its type. */
const fetchImage = (url: string) =>
  gc
    .api()
    .get(url)
    .buffer(true)
    .parse((res: Response, done: (err: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

const storedImages = () => (existsSync(imagesDir) ? readdirSync(imagesDir).sort() : []);
const count = async (table: string, where: string, params: unknown[]) => {
  const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${table} where ${where}`, params);
  return Number(row!.n);
};

describe('GenCharge content', () => {
  it('when an admin creates content with a PNG, then the answer is the spec shape and the image is served back byte for byte', async () => {
    const title = uniqueId('Help');
    const res = await createContent({ content_type: 'FAQ', title, body: 'How can we help?' }, png());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      _id: HEX_ID,
      content_type: 'FAQ',
      title,
      body: 'How can we help?',
      image_url: expect.stringMatching(/^\/gencharge\/static\/uploads\/[0-9a-f]{24}-[0-9a-f]{12}\.png$/),
      image_filename: expect.stringMatching(/^[0-9a-f]{24}-[0-9a-f]{12}\.png$/),
      created_by: admin.id,
      created_at: ISO,
      updated_at: ISO,
      updated_by: admin.id,
    });
    expect(res.body.image_url.endsWith(`/${res.body.image_filename}`)).toBe(true);
    expect(res.body.image_filename.startsWith(res.body._id)).toBe(true);

    const image = await fetchImage(res.body.image_url);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toBe('public, max-age=86400');
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(image.body as Buffer, PNG)).toBe(0);
    expect(storedImages()).toContain(res.body.image_filename);
  });

  it.each([
    ['JPEG', JPEG, 'photo.jpeg', 'image/jpeg', 'jpg'],
    ['WebP', WEBP, 'banner.webp', 'image/webp', 'webp'],
  ])('when the image is a %s, then it is kept and served with its own type', async (_kind, bytes, filename, contentType, extension) => {
    // The declared type is deliberately wrong: the bytes decide.
    const created = await newContent({}, { bytes, filename, contentType: 'application/octet-stream' });
    expect(created.image_filename).toMatch(new RegExp(`\\.${extension}$`));
    const image = await fetchImage(created.image_url!);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe(contentType);
    expect(Buffer.compare(image.body as Buffer, bytes)).toBe(0);
  });

  it('when content is created without an image, then it has no image URL', async () => {
    const created = await newContent();
    expect(created.image_url).toBeNull();
    expect(created.image_filename).toBeNull();
  });

  it.each([
    ['a text file named x.png', { bytes: Buffer.from('just some text, not a picture'), filename: 'x.png', contentType: 'image/png' }, 'image', 422, ['body', 'image']],
    ['a PDF declared as a JPEG', { bytes: Buffer.from('%PDF-1.7 not an image'), filename: 'scan.jpg', contentType: 'image/jpeg' }, 'image', 422, ['body', 'image']],
    ['an image in another field', png(), 'photo', 422, ['body', 'photo']],
  ])('when the upload is %s, then it is refused with a 422 and nothing is stored', async (_case, image, field, status, loc) => {
    const title = uniqueId('Refused');
    const before = storedImages();
    const res = await form(gc.api().post(`${GC}/content/admin`).set(admin.auth), { content_type: 'FAQ', title, body: 'x' }, image, field);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ detail: [{ loc, msg: expect.any(String), type: 'value_error' }] });
    expect(await count('gencharge_content', 'title = ?', [title])).toBe(0);
    expect(storedImages()).toEqual(before);
  });

  it('when the image is larger than the limit, then it is 413 in the FastAPI envelope and nothing is stored', async () => {
    const title = uniqueId('Huge');
    const before = storedImages();
    const huge = Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES, 7)]);
    const res = await createContent({ content_type: 'FAQ', title, body: 'x' }, { bytes: huge, filename: 'big.png', contentType: 'image/png' });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: expect.stringContaining('larger than') });
    expect(await count('gencharge_content', 'title = ?', [title])).toBe(0);
    expect(storedImages()).toEqual(before);
  });

  it('when a required field is missing or blank, then it is 422 at that field and nothing is stored', async () => {
    const before = storedImages();
    const missing = await createContent({ content_type: 'FAQ', body: 'no title' }, png());
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ detail: [{ loc: ['body', 'title'], msg: 'Field required', type: 'missing' }] });

    const blank = await createContent({ content_type: '   ', title: uniqueId('t'), body: 'x' });
    expect(blank.status).toBe(422);
    expect(blank.body.detail[0]).toMatchObject({ loc: ['body', 'content_type'], type: 'string_too_short' });
    expect(storedImages()).toEqual(before);
  });

  it('when an admin edits the text only, then the image stays; when the image is replaced, then the old URL is 404 and its file is gone', async () => {
    const created = await newContent({ title: uniqueId('Before') }, png());
    const oldUrl = created.image_url!;

    const retitled = await editContent(created._id, { title: 'Updated', body: 'Updated body' });
    expect(retitled.status).toBe(200);
    expect(retitled.body).toMatchObject({ _id: created._id, content_type: 'FAQ', title: 'Updated', body: 'Updated body', image_url: oldUrl, updated_by: admin.id });

    const replaced = await editContent(created._id, {}, { bytes: JPEG, filename: 'new.jpg', contentType: 'image/jpeg' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ _id: created._id, title: 'Updated', image_filename: expect.stringMatching(/\.jpg$/) });
    expect(replaced.body.image_url).not.toBe(oldUrl);
    expect(new Date(replaced.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(replaced.body.created_at).getTime());

    const fresh = await fetchImage(replaced.body.image_url);
    expect(fresh.status).toBe(200);
    expect(fresh.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.compare(fresh.body as Buffer, JPEG)).toBe(0);

    const stale = await gc.api().get(oldUrl);
    expect(stale.status).toBe(404);
    expect(stale.body).toEqual({ detail: 'Not Found' });
    expect(storedImages()).not.toContain(created.image_filename);
    expect(storedImages()).toContain(replaced.body.image_filename);
  });

  it('when an edit carries a bad image or names no content, then nothing changes', async () => {
    const created = await newContent({ title: uniqueId('Kept') }, png());
    const before = storedImages();
    const refused = await editContent(created._id, { title: 'Should not stick' }, { bytes: Buffer.from('GIF89a not accepted'), filename: 'a.gif', contentType: 'image/gif' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail[0].loc).toEqual(['body', 'image']);
    const unknown = await editContent('0123456789abcdef01234567', { title: 'Nobody' }, png());
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Content not found' });
    const malformed = await editContent('42', { title: 'Nobody' });
    expect(malformed.status).toBe(422);
    expect(malformed.body.detail[0].loc).toEqual(['path', 'content_id']);

    expect(storedImages()).toEqual(before);
    const listed = await gc.api().get(`${GC}/content/admin`).set(admin.auth).query({ title: created.title });
    expect(listed.body.items).toEqual([expect.objectContaining({ title: created.title, image_url: created.image_url })]);
    expect((await fetchImage(created.image_url!)).status).toBe(200);
  });

  it('when an admin deletes content, then it answers {}, its image is 404 and its file is gone; a second delete is 404', async () => {
    const created = await newContent({}, png());
    const res = await gc.api().delete(`${GC}/content/admin/${created._id}`).set(admin.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect((await gc.api().get(created.image_url!)).status).toBe(404);
    expect(storedImages()).not.toContain(created.image_filename);
    expect(await count('gencharge_content', 'id = ?', [created._id])).toBe(0);
    const again = await gc.api().delete(`${GC}/content/admin/${created._id}`).set(admin.auth);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'Content not found' });
  });

  it('when an image name no content shows is asked for, then it is 404', async () => {
    for (const name of ['0123456789abcdef01234567-0123456789ab.png', '..%2F..%2Fpackage.json', 'x.txt']) {
      const res = await gc.api().get(`${GC}/static/uploads/${name}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    }
  });

  it('when anyone lists public content, then it needs no sign-in, pages as the spec shows, newest first, filtered by type', async () => {
    const type = uniqueId('BANNER');
    const first = await newContent({ content_type: type, title: 'Welcome', body: 'Hello' });
    const second = await newContent({ content_type: type, title: 'Second', body: 'Two' }, png());
    const third = await newContent({ content_type: type, title: 'Third', body: 'Three' });

    const page1 = await gc.api().get(`${GC}/content`).query({ content_type: type, size: 2 });
    expect(page1.status).toBe(200);
    expect(page1.body).toEqual({
      items: [
        { _id: third._id, content_type: type, title: 'Third', body: 'Three', image_url: null },
        { _id: second._id, content_type: type, title: 'Second', body: 'Two', image_url: second.image_url },
      ],
      total: 3,
      page: 1,
      size: 2,
      pages: 2,
    });
    const page2 = await gc.api().get(`${GC}/content`).query({ content_type: type, size: 2, page: 2 });
    expect(page2.body).toEqual({ items: [{ _id: first._id, content_type: type, title: 'Welcome', body: 'Hello', image_url: null }], total: 3, page: 2, size: 2, pages: 2 });

    const defaults = await gc.api().get(`${GC}/content`).query({ content_type: type });
    expect(defaults.body).toMatchObject({ total: 3, page: 1, size: 10, pages: 1 });
    expect((await gc.api().get(`${GC}/content`).query({ page: 0 })).status).toBe(422);
  });

  it('when an admin lists content, then filters by type, title and creation dates apply', async () => {
    const type = uniqueId('TERMS');
    const marker = uniqueId('needle');
    const wanted = await newContent({ content_type: type, title: `About ${marker} here` }, png());
    await newContent({ content_type: type, title: 'Something else' });
    const list = (q: Record<string, string | number>) => gc.api().get(`${GC}/content/admin`).set(admin.auth).query({ content_type: type, ...q });

    const all = await list({});
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 2, page: 1, size: 10, pages: 1 });
    expect(all.body.items[1]).toEqual(expect.objectContaining({ _id: wanted._id, image_filename: wanted.image_filename, created_by: admin.id }));

    const byTitle = await list({ title: marker.toUpperCase() });
    expect(byTitle.body.items.map((c: { _id: string }) => c._id)).toEqual([wanted._id]);

    // Today in India covers what was just created; a day long past does not.
    const today = todayInIndia();
    expect((await list({ start_date: today, end_date: today })).body.total).toBe(2);
    expect((await list({ end_date: '2000-01-01' })).body.total).toBe(0);
    expect((await list({ start_date: new Date(Date.now() + 3600_000).toISOString() })).body.total).toBe(0);
    expect((await list({ start_date: 'yesterday' })).status).toBe(422);
  });
});

describe('GenCharge content and contact permissions', () => {
  it('when nobody, a mobile user, or an admin without the permission calls the admin routes, then it is 401 or 403', async () => {
    const ga = genchargeAdmins(platform);
    const user = await ga.mobileUser();
    const reader = await ga.adminWith([['Content', 'read']]);
    const created = await newContent();

    expect((await gc.api().get(`${GC}/content/admin`)).status).toBe(401);
    expect((await createContent({ content_type: 'FAQ', title: 't', body: 'b' }, undefined, { ...admin, auth: { Authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await gc.api().get(`${GC}/content/admin`).set(user.auth)).status).toBe(403);
    expect((await gc.api().get(`${GC}/contact-from/contacts/`).set(user.auth)).status).toBe(403);

    expect((await gc.api().get(`${GC}/content/admin`).set(reader.auth)).status).toBe(200);
    const refused = await createContent({ content_type: 'FAQ', title: uniqueId('t'), body: 'b' }, png(), reader);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ detail: 'Not enough permissions' });
    expect((await gc.api().delete(`${GC}/content/admin/${created._id}`).set(reader.auth)).status).toBe(403);
    expect((await gc.api().get(`${GC}/contact-from/contacts/`).set(reader.auth)).status).toBe(403);
    expect(await count('gencharge_content', 'id = ?', [created._id])).toBe(1);
  });
});

describe('GenCharge contact form', () => {
  const send = (body: object, client = newClient()) => gc.api().post(`${GC}/contact-from/contacts/`).set('X-Forwarded-For', client).send(body);
  const list = (q: Record<string, string | number | boolean> = {}) => gc.api().get(`${GC}/contact-from/contacts/`).set(admin.auth).query(q);
  const resolve = (id: string, resolved: unknown) => gc.api().patch(`${GC}/contact-from/contacts/${id}/resolved`).set(admin.auth).send({ resolved });

  it('when anyone sends a message, then it is stored and answered in the spec shape', async () => {
    const email = `${uniqueId('User')}@Example.com`;
    const res = await send({ name: 'User', email, description: 'I need help' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'User', email: email.toLowerCase(), description: 'I need help', _id: HEX_ID, created_at: ISO, resolved: false });
    expect(await count('gencharge_contacts', 'id = ?', [res.body._id])).toBe(1);
  });

  it.each([
    ['a bad email', { name: 'User', email: 'not-an-email', description: 'x' }, ['body', 'email']],
    ['no description', { name: 'User', email: 'a@example.com' }, ['body', 'description']],
    ['a description too long', { name: 'User', email: 'a@example.com', description: 'x'.repeat(2001) }, ['body', 'description']],
    ['an empty name', { name: ' ', email: 'a@example.com', description: 'x' }, ['body', 'name']],
  ])('when the message has %s, then it is 422 at that field and nothing is stored', async (_case, body, loc) => {
    const before = await count('gencharge_contacts', 'true', []);
    const res = await send(body);
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ loc })]);
    expect(await count('gencharge_contacts', 'true', [])).toBe(before);
  });

  it('when one client address sends more than the limit, then it is 429 in the envelope while another address still gets through', async () => {
    const client = newClient();
    for (let i = 0; i < CONTACTS_PER_CLIENT; i++) {
      expect((await send({ name: 'Spammy', email: 'spam@example.com', description: `message ${i}` }, client)).status).toBe(201);
    }
    const marker = uniqueId('over-limit');
    const refused = await send({ name: 'Spammy', email: 'spam@example.com', description: marker }, client);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ detail: 'Too many messages from this network. Please try again later.' });
    expect(await count('gencharge_contacts', 'description = ?', [marker])).toBe(0);
    expect((await send({ name: 'Other', email: 'other@example.com', description: 'fine' })).status).toBe(201);
  });

  it('when an admin lists messages, then it is a bare array with X-Total-Count, filtered by email and resolved', async () => {
    const email = `${uniqueId('lister')}@example.com`;
    const a = (await send({ name: 'A', email, description: 'first' })).body;
    const b = (await send({ name: 'B', email, description: 'second' })).body;

    const all = await list({ email });
    expect(all.status).toBe(200);
    expect(all.headers['x-total-count']).toBe('2');
    expect(all.body).toEqual([
      { ...a, resolved_at: null, resolved_by: null },
      { ...b, resolved_at: null, resolved_by: null },
    ]);
    const paged = await list({ email, limit: 1, skip: 1, sort_order: 'asc' });
    expect(paged.body.map((c: { _id: string }) => c._id)).toEqual([b._id]);
    expect(paged.headers['x-total-count']).toBe('2');

    expect((await resolve(a._id, true)).status).toBe(200);
    expect((await list({ email, resolved: true })).body.map((c: { _id: string }) => c._id)).toEqual([a._id]);
    expect((await list({ email, resolved: false })).body.map((c: { _id: string }) => c._id)).toEqual([b._id]);
    expect((await list({ resolved: 'maybe' })).status).toBe(422);
  });

  it('when an admin resolves a message, then who and when are recorded; reopening clears them; an unknown id is 404', async () => {
    const created = (await send({ name: 'User', email: `${uniqueId('r')}@example.com`, description: 'I need help' })).body;
    const resolved = await resolve(created._id, true);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({ ...created, resolved: true, resolved_at: ISO, resolved_by: admin.id });

    const again = await resolve(created._id, true);
    expect(again.body.resolved_at).toBe(resolved.body.resolved_at);

    const reopened = await resolve(created._id, false);
    expect(reopened.body).toEqual({ ...created, resolved: false, resolved_at: null, resolved_by: null });

    const unknown = await resolve('0123456789abcdef01234567', true);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Contact not found' });
    const bad = await resolve(created._id, 'yes');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 'resolved'], type: 'bool_type' });
    expect((await gc.api().patch(`${GC}/contact-from/contacts/${created._id}/resolved`).send({ resolved: true })).status).toBe(401);
  });
});
