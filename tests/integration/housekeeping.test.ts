import { randomInt } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Orm } from '../../db/orm.js';
import { getBalances, placeHold, postHold } from '../../core/ledger.js';
import { createHousekeepingActivities } from '../../activities/housekeeping.js';
import { freshAccounts, fundAccount, openTestOrm, requireEnv, uniqueId } from '../support/db.js';

let orm: Orm;
let connection: Connection;
let temporal: Client;
beforeAll(async () => {
  orm = await openTestOrm();
  connection = await Connection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await connection.close();
  await orm.close();
});

const createLedgerActivities = (opts: { orm: Orm; clock?: () => Date }) => createHousekeepingActivities({ ...opts, temporal });

async function walletWithHold(expiresAt: Date) {
  const { wallet, source } = await freshAccounts(orm.em);
  await fundAccount(orm.em, source, wallet, 1000n);
  return orm.em.fork().transactional(async (tx) => {
    const hold = await placeHold(tx, {
      tenant: 'maxtera',
      idempotencyKey: uniqueId('hold'),
      debitAccountId: wallet,
      creditAccountId: source,
      amount: 400n,
      description: 'hold',
      expiresAt,
    });
    return { wallet, hold };
  });
}

const holdStatus = async (id: bigint) =>
  (await orm.em.fork().execute<{ status: string }[]>('select status from ledger_holds where id = ?', [id.toString()]))[0]!.status;

it('when a hold is past its expiry and no flow owns it, then the sweep releases it and the funds are available again', async () => {
  const { wallet, hold } = await walletWithHold(new Date(Date.now() - 1000));
  const live = await walletWithHold(new Date(Date.now() + 3_600_000));
  const env = new MockActivityEnvironment();
  const activities = createLedgerActivities({ orm });

  const swept = (await env.run(activities.voidHoldsOfClosedFlows)) as { holdsVoided: number };
  expect(swept.holdsVoided).toBeGreaterThanOrEqual(1);

  expect(await holdStatus(hold.id)).toBe('expired');
  expect((await getBalances(orm.em.fork(), wallet)).available).toBe(1000n);
  expect(await holdStatus(live.hold.id)).toBe('pending');
  expect((await getBalances(orm.em.fork(), live.wallet)).available).toBe(600n);
});

it('when the clock says a hold has not expired yet, then the sweep leaves it alone', async () => {
  const expiresAt = new Date(Date.now() + 60_000);
  const { hold } = await walletWithHold(expiresAt);
  const activities = createLedgerActivities({ orm, clock: () => new Date(expiresAt.getTime() - 1) });
  await new MockActivityEnvironment().run(activities.voidHoldsOfClosedFlows);
  expect(await holdStatus(hold.id)).toBe('pending');
});

it('when a hold was posted before the sweep reached it, then the sweep leaves the posting as it is', async () => {
  const { hold } = await walletWithHold(new Date(Date.now() + 500));
  await orm.em.fork().transactional((tx) => postHold(tx, hold.id));
  const later = createLedgerActivities({ orm, clock: () => new Date(Date.now() + 60_000) });
  await new MockActivityEnvironment().run(later.voidHoldsOfClosedFlows);
  expect(await holdStatus(hold.id)).toBe('posted');
});

it('when housekeeping purges, then expired replay records and dead refresh tokens go and live ones stay', async () => {
  const em = orm.em.fork();
  const stale = uniqueId('idem');
  const live = uniqueId('idem');
  await em.execute(
    `insert into idempotency_records (tenant, scope, key, request_hash, state, locked_until, expires_at)
     values ('maxtera', 'test', ?, 'h', 'completed', now(), now() - interval '1 hour'),
            ('maxtera', 'test', ?, 'h', 'completed', now(), now() + interval '1 hour')`,
    [stale, live],
  );
  const purged = (await new MockActivityEnvironment().run(createLedgerActivities({ orm }).purgeExpiredRecords)) as {
    idempotencyRecordsPurged: number;
  };
  expect(purged.idempotencyRecordsPurged).toBeGreaterThanOrEqual(1);
  const left = await em.execute<{ key: string }[]>('select key from idempotency_records where key in (?, ?)', [stale, live]);
  expect(left.map((r) => r.key)).toEqual([live]);
});

it('when housekeeping purges, then expired sign-in proofs and abandoned sign-ups go and live ones stay', async () => {
  const em = orm.em.fork();
  const [expired, live] = [uniqueId('n').slice(0, 32), uniqueId('n').slice(0, 32)];
  await em.execute(
    `insert into xclera_login_nonces (nonce, address, expires_at)
     values (?, '0x0000000000000000000000000000000000000001', now() - interval '1 minute'),
            (?, '0x0000000000000000000000000000000000000001', now() + interval '5 minutes')`,
    [expired, live],
  );
  const workflows = [uniqueId('otp-expired'), uniqueId('otp-live')];
  await em.execute(
    `insert into otp_verifications (tenant, identifier, channel, purpose, token_hash, workflow_id, expires_at)
     values ('chargeghar', 'a@example.com', 'email', 'login', ?, ?, now() - interval '1 minute'),
            ('chargeghar', 'a@example.com', 'email', 'login', ?, ?, now() + interval '5 minutes')`,
    [uniqueId('h').slice(0, 64), workflows[0], uniqueId('h').slice(0, 64), workflows[1]],
  );
  const [staleSignup, freshSignup] = [`+91${randomInt(6e9, 1e10)}`, `+91${randomInt(6e9, 1e10)}`];
  await em.execute(
    `insert into gencharge_pending_signups (phone, user_type, requested_at) values (?, 'prepaid', now() - interval '25 hours'), (?, 'prepaid', now())
     on conflict (phone) do update set requested_at = excluded.requested_at`,
    [staleSignup, freshSignup],
  );
  const purged = (await new MockActivityEnvironment().run(createLedgerActivities({ orm }).purgeExpiredRecords)) as {
    signInProofsPurged: number;
  };
  expect(purged.signInProofsPurged).toBeGreaterThanOrEqual(3);
  const signups = await em.execute<{ phone: string }[]>('select phone from gencharge_pending_signups where phone in (?, ?)', [staleSignup, freshSignup]);
  expect(signups.map((r) => r.phone)).toEqual([freshSignup]);
  const nonces = await em.execute<{ nonce: string }[]>('select nonce from xclera_login_nonces where nonce in (?, ?)', [expired, live]);
  expect(nonces.map((r) => r.nonce)).toEqual([live]);
  const codes = await em.execute<{ workflow_id: string }[]>('select workflow_id from otp_verifications where workflow_id in (?, ?)', workflows);
  expect(codes.map((r) => r.workflow_id)).toEqual([workflows[1]]);
});
