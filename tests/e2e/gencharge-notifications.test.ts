import { MockActivityEnvironment } from '@temporalio/testing';
import { createGenChargeAnnouncementActivities } from '../../activities/gencharge-announcements.js';
import { createGenChargeNoticeActivities } from '../../activities/gencharge-notices.js';
import type { AnnouncementBatchResult } from '../../workflows/contracts.js';
import { createProviderRegistry, loadTenantProviderSettings } from '../../providers/registry.js';
import { uniqueId } from '../support/db.js';
import { GC, gencharge, type GenChargeSession, type GenChargeUser } from '../support/gencharge.js';
import { ISO, HEX_ID } from '../support/matchers.js';
import { genchargeAdmins } from '../support/gencharge-admins.js';
import { eventually } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;
let admin: GenChargeSession;

beforeAll(async () => {
  platform = await startTestPlatform();
  gc = gencharge(platform);
  admin = await gc.superAdmin();
});
afterAll(async () => {
  await platform.stop();
});

interface Message {
  channel: string;
  to: string;
  subject?: string;
  body: string;
}

const announce = (body: Record<string, unknown>, who: GenChargeSession = admin) => gc.api().post(`${GC}/notification/announcement`).set(who.auth).send(body);
const my = (user: GenChargeSession, query: Record<string, number> = {}) => gc.api().get(`${GC}/notification/my`).set(user.auth).query(query);
const remove = (user: GenChargeSession, body: object) => gc.api().delete(`${GC}/notification/delete`).set(user.auth).send(body);

const announcementRow = async (id: string) =>
  (await platform.orm.em.fork().execute<{ status: string; delivered_ms: string | null }[]>(
    'select status, (extract(epoch from delivered_at) * 1000)::bigint as delivered_ms from gencharge_announcements where id = ?',
    [id],
  ))[0];
const announcementCount = async () => Number((await platform.orm.em.fork().execute<{ n: string }[]>('select count(*) as n from gencharge_announcements'))[0]!.n);
const delivered = (id: string) => eventually(() => announcementRow(id), (row) => row?.status === 'delivered');

/** What the sandbox outbox holds for `to` whose body mentions `text`. */
async function messagesAbout(to: string, text: string): Promise<Message[]> {
  const res = await gc.api().get('/sandbox/outbox').query({ to });
  return ((res.body.messages ?? []) as Message[]).filter((m) => m.body.includes(text));
}

/** Only the two channel switches decide an announcement: every other switch is off here. */
const setChannels = (user: GenChargeSession, channels: { sms: boolean; email: boolean }) =>
  gc.setPreferences(user, {
    email_notification: channels.email,
    sms_notification: channels.sms,
    recharge_remainders: false,
    transactional_alerts: false,
    data_analytics: false,
  });

describe('GenCharge announcements', () => {
  it('when an admin schedules an announcement to all users, then it is scheduled, and at its time only it reaches everyone in-app and by the channels each allows', async () => {
    const both = await gc.signUp();
    const emailOnly = await gc.signUp();
    const smsOnly = await gc.signUp();
    const neither = await gc.signUp();
    await setChannels(emailOnly, { sms: false, email: true });
    await setChannels(smsOnly, { sms: true, email: false });
    await setChannels(neither, { sms: false, email: false });
    const description = `Scheduled maintenance ${uniqueId('m')}`;
    const scheduledAt = new Date(Date.now() + 4000);

    const res = await announce({ description, attachments: { banner: 'maintenance.png' }, scheduled_at: scheduledAt.toISOString(), recipient_type: 'all_users' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      _id: HEX_ID,
      sender_type: 'admin',
      description,
      recipient_type: 'all_users',
      recipient_id: null,
      status: 'scheduled',
      type: 'announcement',
      attachments: { banner: 'maintenance.png' },
      created_at: ISO,
      scheduled_at: scheduledAt.toISOString(),
    });
    const id = res.body._id as string;
    const handle = platform.temporal.workflow.getHandle(`gencharge:announcement:${id}`);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await announcementRow(id))!.status).toBe('scheduled');

    const row = await delivered(id);
    expect(Number(row!.delivered_ms)).toBeGreaterThanOrEqual(scheduledAt.getTime());
    expect(await handle.result()).toMatchObject({ announcementId: id, status: 'delivered' });

    for (const user of [both, emailOnly, smsOnly, neither]) {
      const list = await my(user);
      const copy = (list.body as Array<{ description: string; created_at: string }>).find((n) => n.description === description);
      expect(copy).toEqual({
        _id: HEX_ID,
        sender_type: 'admin',
        description,
        recipient_type: 'all_users',
        recipient_id: null,
        status: 'delivered',
        type: 'announcement',
        attachments: { banner: 'maintenance.png' },
        created_at: ISO,
        scheduled_at: scheduledAt.toISOString(),
      });
      // Stored at its time, not before.
      expect(Date.parse(copy!.created_at)).toBeGreaterThanOrEqual(scheduledAt.getTime());
    }

    const sms = (u: GenChargeUser) => messagesAbout(`+91${u.phone}`, description);
    const email = (u: GenChargeUser) => messagesAbout(u.email, description);
    expect(await eventually(() => sms(both), (m) => m.length > 0)).toEqual([expect.objectContaining({ channel: 'sms', body: `GenCharge: ${description}` })]);
    expect(await eventually(() => email(both), (m) => m.length > 0)).toEqual([expect.objectContaining({ channel: 'email', subject: 'GenCharge: announcement' })]);
    expect(await eventually(() => email(emailOnly), (m) => m.length > 0)).toHaveLength(1);
    expect(await eventually(() => sms(smsOnly), (m) => m.length > 0)).toHaveLength(1);
    expect(await sms(emailOnly)).toEqual([]);
    expect(await email(smsOnly)).toEqual([]);
    expect(await sms(neither)).toEqual([]);
    expect(await email(neither)).toEqual([]);
    const sent = await platform.orm.em
      .fork()
      .execute<{ user_id: string; sms: boolean; email: boolean }[]>(
        'select user_id, sms_sent_at is not null as sms, email_sent_at is not null as email from gencharge_notifications where announcement_id = ? and user_id in (?, ?, ?, ?) order by user_id',
        [id, both.id, emailOnly.id, smsOnly.id, neither.id],
      );
    expect(sent).toEqual([
      { user_id: String(both.id), sms: true, email: true },
      { user_id: String(emailOnly.id), sms: false, email: true },
      { user_id: String(smsOnly.id), sms: true, email: false },
      { user_id: String(neither.id), sms: false, email: false },
    ]);
  });

  it('when an announcement names one user, then only that user gets it, at once when no time is given', async () => {
    const target = await gc.signUp();
    const bystander = await gc.signUp();
    const description = `Your KYC is due ${uniqueId('k')}`;
    const res = await announce({ description, recipient_type: 'user', recipient_id: target.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ recipient_type: 'user', recipient_id: target.id, status: 'scheduled', scheduled_at: null, attachments: {} });
    await delivered(res.body._id);
    const theirs = (await my(target)).body as Array<{ description: string }>;
    expect(theirs.filter((n) => n.description === description)).toEqual([
      expect.objectContaining({ _id: HEX_ID, recipient_type: 'user', recipient_id: target.id, status: 'delivered', type: 'announcement', scheduled_at: null }),
    ]);
    expect(((await my(bystander)).body as Array<{ description: string }>).filter((n) => n.description === description)).toEqual([]);
    expect(await messagesAbout(`+91${bystander.phone}`, description)).toEqual([]);
  });

  it('when a publish request is retried with its Idempotency-Key, then the first announcement is answered and nothing is published twice', async () => {
    const target = await gc.signUp();
    const key = uniqueId('announce');
    const payload = { description: `Once only ${uniqueId('o')}`, recipient_type: 'user', recipient_id: target.id };
    const first = await gc.api().post(`${GC}/notification/announcement`).set(admin.auth).set('Idempotency-Key', key).send(payload);
    expect(first.status).toBe(201);
    const before = await announcementCount();
    const again = await gc.api().post(`${GC}/notification/announcement`).set(admin.auth).set('Idempotency-Key', key).send(payload);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await announcementCount()).toBe(before);
    await delivered(first.body._id);
    expect(((await my(target)).body as Array<{ description: string }>).filter((n) => n.description === payload.description)).toHaveLength(1);
  });

  it('when the request is invalid or names no mobile user, then it is refused and nothing is stored', async () => {
    const user = await gc.signUp();
    const before = await announcementCount();
    const missing = await announce({ description: 'x', recipient_type: 'user' });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ loc: ['body', 'recipient_id'] });
    expect((await announce({ description: 'x', recipient_type: 'all_users', recipient_id: user.id })).status).toBe(422);
    expect((await announce({ description: '  ', recipient_type: 'all_users' })).status).toBe(422);
    expect((await announce({ description: 'x', recipient_type: 'everyone' })).status).toBe(422);
    expect((await announce({ description: 'x', recipient_type: 'all_users', scheduled_at: 'tonight' })).status).toBe(422);
    expect((await announce({ description: 'x', recipient_type: 'all_users', attachments: ['a'] })).status).toBe(422);
    expect((await announce({ description: 'x', recipient_type: 'all_users', attachments: { a: 'nul\u0000' } })).status).toBe(422);
    const nobody = await announce({ description: 'x', recipient_type: 'user', recipient_id: 2_000_000_000 });
    expect(nobody.status).toBe(404);
    expect(nobody.body).toEqual({ detail: 'User not found' });
    expect((await announce({ description: 'x', recipient_type: 'user', recipient_id: admin.id })).status).toBe(404);
    expect((await announce({ description: 'x', recipient_type: 'all_users' }, user)).status).toBe(403);
    const reader = await genchargeAdmins(platform).adminWith([['Notifications', 'read']]);
    expect((await announce({ description: 'x', recipient_type: 'all_users' }, reader)).status).toBe(403);
    expect(await announcementCount()).toBe(before);
  });
});

describe('GenCharge announcement batches (deliverAnnouncementBatch)', () => {
  it('when recipients outnumber a batch, then batches continue after the last user, a retried batch resumes after its heartbeat, and nobody gets a copy twice', async () => {
    const users = [await gc.signUp(), await gc.signUp(), await gc.signUp()];
    const description = `Batched ${uniqueId('b')}`;
    // Far ahead: the flow sleeps while the test drives the batches itself.
    const res = await announce({ description, recipient_type: 'all_users', scheduled_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(res.status).toBe(201);
    const id = res.body._id as string;
    const flow = platform.temporal.workflow.getHandle(`gencharge:announcement:${id}`);
    try {
      const providers = createProviderRegistry(platform.config, await loadTenantProviderSettings(platform.orm.em.fork()), platform.url);
      const batches = createGenChargeAnnouncementActivities({ orm: platform.orm, providers, announcementBatchSize: 2 });
      // The delivery reaches users up to its cutoff. Other test files sign users up meanwhile, so
      // theirs may sit among these ids: the recipients are every mobile user in the window.
      const request = { tenant: 'gencharge', announcementId: id, afterUserId: users[0]!.id - 1, upToUserId: users[2]!.id };
      const recipients = (
        await platform.orm.em.fork().execute<{ id: string }[]>(
          `select u.id from users u join gencharge_profiles p on p.user_id = u.id
           where u.tenant = 'gencharge' and u.deleted_at is null and u.id between ? and ? order by u.id`,
          [users[0]!.id, users[2]!.id],
        )
      ).map((r) => Number(r.id));
      const copies = async () =>
        (await platform.orm.em.fork().execute<{ user_id: string }[]>('select user_id from gencharge_notifications where announcement_id = ? order by user_id', [id])).map((r) => Number(r.user_id));

      expect(await new MockActivityEnvironment().run(batches.deliverAnnouncementBatch, request)).toEqual({ scheduled: true, recipients: 2, lastUserId: recipients[1], upToUserId: users[2]!.id });
      expect(await copies()).toEqual(recipients.slice(0, 2));
      // Someone who signs up once the delivery has begun is past its cutoff.
      await gc.signUp();
      // The same call retried after it reported recipients[1]: it goes on from there, to the cutoff.
      let resumed: AnnouncementBatchResult = await new MockActivityEnvironment({ heartbeatDetails: recipients[1] }).run(batches.deliverAnnouncementBatch, request);
      const left = recipients.length - 2;
      expect(resumed).toEqual({ scheduled: true, recipients: Math.min(left, 2), lastUserId: left >= 2 ? recipients[3] : null, upToUserId: users[2]!.id });
      while (resumed.lastUserId !== null) resumed = await new MockActivityEnvironment().run(batches.deliverAnnouncementBatch, { ...request, afterUserId: resumed.lastUserId });
      expect(await copies()).toEqual(recipients);
      // Replayed from the start: every copy and message exists once.
      await new MockActivityEnvironment().run(batches.deliverAnnouncementBatch, request);
      await new MockActivityEnvironment().run(batches.deliverAnnouncementBatch, { ...request, afterUserId: recipients[1]! });
      expect(await copies()).toEqual(recipients);
      await eventually(() => messagesAbout(`+91${users[0]!.phone}`, description), (m) => m.length > 0);
      expect(await messagesAbout(`+91${users[0]!.phone}`, description)).toHaveLength(1);

      await platform.orm.em.fork().execute("update gencharge_announcements set status = 'cancelled' where id = ?", [id]);
      expect(await new MockActivityEnvironment().run(batches.deliverAnnouncementBatch, { ...request, afterUserId: 0 })).toEqual({ scheduled: false, recipients: 0, lastUserId: null });
    } finally {
      await flow.terminate('the test delivered this announcement itself');
    }
  });
});

describe('GenCharge my notifications', () => {
  async function userWithAnnouncements(count: number): Promise<{ user: GenChargeUser; descriptions: string[] }> {
    const user = await gc.signUp();
    const descriptions: string[] = [];
    for (let i = 0; i < count; i++) {
      const description = `note ${i} ${uniqueId('n')}`;
      const res = await announce({ description, recipient_type: 'user', recipient_id: user.id });
      expect(res.status).toBe(201);
      await delivered(res.body._id);
      descriptions.push(description);
    }
    return { user, descriptions };
  }

  it('when a user has several notifications, then the list is newest first and pages with skip/limit and X-Total-Count', async () => {
    const { user, descriptions } = await userWithAnnouncements(3);
    const all = await my(user);
    expect(all.status).toBe(200);
    expect(all.headers['x-total-count']).toBe('3');
    expect(all.body.map((n: { description: string }) => n.description)).toEqual([...descriptions].reverse());
    const page = await my(user, { skip: 1, limit: 1 });
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.body.map((n: { description: string }) => n.description)).toEqual([descriptions[1]]);
    expect((await my(user, { limit: 0 })).status).toBe(422);
    expect((await gc.api().get(`${GC}/notification/my`).set(admin.auth)).status).toBe(403);
    expect((await gc.api().get(`${GC}/notification/my`)).status).toBe(401);
  });

  it('when a platform event tells a user something, then it is listed as a system in-app notification addressed to them', async () => {
    const user = await gc.signUp();
    const providers = createProviderRegistry(platform.config, await loadTenantProviderSettings(platform.orm.em.fork()), platform.url);
    const notices = createGenChargeNoticeActivities({ orm: platform.orm, providers });
    const notice = { tenant: 'gencharge', userId: user.id, kind: 'reward_earned' as const, description: 'You earned a referral reward of ₹50.00', noticeKey: uniqueId('notice'), preference: 'transactional_alerts' as const };
    expect(await new MockActivityEnvironment().run(notices.notifyGenChargeUser, notice)).toEqual({ stored: true, channels: ['sms', 'email'] });
    expect(await new MockActivityEnvironment().run(notices.notifyGenChargeUser, notice)).toEqual({ stored: false, channels: ['sms', 'email'] });
    expect((await my(user)).body).toEqual([
      {
        _id: HEX_ID,
        sender_type: 'system',
        description: notice.description,
        recipient_type: 'user',
        recipient_id: user.id,
        status: 'delivered',
        type: 'in-app',
        attachments: {},
        created_at: ISO,
        scheduled_at: null,
      },
    ]);
    // Sent once, although the activity ran twice.
    expect(await eventually(() => messagesAbout(`+91${user.phone}`, notice.description), (m) => m.length > 0)).toHaveLength(1);
  });

  it('when a user deletes notifications, then only their own go; another user\'s id is 404 and nothing is deleted', async () => {
    const { user, descriptions } = await userWithAnnouncements(3);
    const { user: other } = await userWithAnnouncements(1);
    const mine = (await my(user)).body as Array<{ _id: string; description: string }>;
    const [theirs] = (await my(other)).body as Array<{ _id: string }>;

    const res = await remove(user, { id: mine[0]!._id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(((await my(user)).body as Array<{ description: string }>).map((n) => n.description)).toEqual([descriptions[1], descriptions[0]]);

    const foreign = await remove(user, { id: theirs!._id });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: 'Notification not found' });
    expect((await remove(user, { ids: [mine[1]!._id, theirs!._id] })).status).toBe(404);
    expect((await my(user)).headers['x-total-count']).toBe('2');
    expect((await my(other)).headers['x-total-count']).toBe('1');
    expect((await remove(user, { id: mine[0]!._id })).status).toBe(404);
    expect((await remove(user, { id: 'not-an-id' })).status).toBe(422);
    expect((await remove(user, {})).status).toBe(422);

    expect((await remove(user, { ids: [mine[1]!._id, mine[2]!._id] })).status).toBe(200);
    expect((await my(user)).body).toEqual([]);
  });
});
