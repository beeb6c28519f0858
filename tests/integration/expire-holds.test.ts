import { MockActivityEnvironment } from '@temporalio/testing';
import type { Orm } from '../../db/orm.js';
import { getBalances, placeHold, postHold } from '../../core/ledger.js';
import { createLedgerActivities } from '../../activities/ledger.js';
import { freshAccounts, fundAccount, openTestOrm, uniqueId } from '../support/db.js';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close();
});

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

it('when a hold is past its expiry, then the sweep releases it and the funds are available again', async () => {
  const { wallet, hold } = await walletWithHold(new Date(Date.now() - 1000));
  const live = await walletWithHold(new Date(Date.now() + 3_600_000));
  const env = new MockActivityEnvironment();
  const activities = createLedgerActivities({ orm });

  expect(await env.run(activities.expireLedgerHolds)).toBeGreaterThanOrEqual(1);

  expect(await holdStatus(hold.id)).toBe('expired');
  expect((await getBalances(orm.em.fork(), wallet)).available).toBe(1000n);
  expect(await holdStatus(live.hold.id)).toBe('pending');
  expect((await getBalances(orm.em.fork(), live.wallet)).available).toBe(600n);
});

it('when the clock says a hold has not expired yet, then the sweep leaves it alone', async () => {
  const expiresAt = new Date(Date.now() + 60_000);
  const { hold } = await walletWithHold(expiresAt);
  const activities = createLedgerActivities({ orm, clock: () => new Date(expiresAt.getTime() - 1) });
  await new MockActivityEnvironment().run(activities.expireLedgerHolds);
  expect(await holdStatus(hold.id)).toBe('pending');
});

it('when a hold was posted before the sweep reached it, then the sweep leaves the posting as it is', async () => {
  const { hold } = await walletWithHold(new Date(Date.now() + 500));
  await orm.em.fork().transactional((tx) => postHold(tx, hold.id));
  const later = createLedgerActivities({ orm, clock: () => new Date(Date.now() + 60_000) });
  await new MockActivityEnvironment().run(later.expireLedgerHolds);
  expect(await holdStatus(hold.id)).toBe('posted');
});
