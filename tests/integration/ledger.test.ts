import type { Orm } from '../../db/orm.js';
import {
  ensureAccount,
  getBalances,
  placeHold,
  postHold,
  postJournalEntry,
  reverseJournalEntry,
  trialBalance,
  voidHold,
} from '../../core/ledger.js';
import { FailureType } from '../../core/errors.js';
import { expectTrialBalanceZero, freshAccounts, fundAccount, openTestOrm, transfer, uniqueId } from '../support/db.js';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close();
});

const fund = (source: bigint, wallet: bigint, amount: bigint) => fundAccount(orm.em, source, wallet, amount);
const balances = (id: bigint) => getBalances(orm.em.fork(), id);
const inTx = <T>(fn: (tx: Orm['em']) => Promise<T>) => orm.em.fork().transactional(fn);

describe('postJournalEntry', () => {
  it('when the same key is posted twice, then money moves once and the second call is a replay', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    const key = uniqueId('entry');
    const first = await inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: key, description: 'x', lines: transfer(source, wallet, 500n) }));
    const second = await inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: key, description: 'x', lines: transfer(source, wallet, 500n) }));
    expect(second).toEqual({ entryId: first.entryId, replayed: true });
    expect((await balances(wallet)).ledger).toBe(500n);
  });

  it('when a key is reused for different lines, then it is rejected', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    const key = uniqueId('entry');
    await inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: key, description: 'x', lines: transfer(source, wallet, 500n) }));
    await expect(
      inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: key, description: 'x', lines: transfer(source, wallet, 501n) })),
    ).rejects.toMatchObject({ type: FailureType.IdempotencyKeyReused });
  });

  it('when debits and credits differ, then nothing is written', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await expect(
      inTx((tx) =>
        postJournalEntry(tx, {
          tenant: 'maxtera',
          idempotencyKey: uniqueId('bad'),
          description: 'x',
          lines: [
            { accountId: source, direction: 'debit', amount: 100n },
            { accountId: wallet, direction: 'credit', amount: 99n },
          ],
        }),
      ),
    ).rejects.toMatchObject({ type: FailureType.UnbalancedEntry });
    expect((await balances(wallet)).ledger).toBe(0n);
  });

  it('when a wallet would be overdrawn, then the posting fails with insufficient funds and the wallet is unchanged', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 300n);
    await expect(
      inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('spend'), description: 'x', lines: transfer(wallet, source, 301n) })),
    ).rejects.toMatchObject({ type: FailureType.InsufficientFunds });
    expect((await balances(wallet)).ledger).toBe(300n);
  });

  it('when 30 spends of 100 race against a balance of 1000, then exactly 10 succeed', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 1000n);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('race'), description: 'x', lines: transfer(wallet, source, 100n) })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect((await balances(wallet)).ledger).toBe(0n);
    await expectTrialBalanceZero(orm.em);
  });

  it('when an entry is reversed, then balances return and a second reversal is refused', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 700n);
    const spend = await inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('s'), description: 'x', lines: transfer(wallet, source, 200n) }));
    const key = uniqueId('rev');
    const reversal = await inTx((tx) => reverseJournalEntry(tx, spend.entryId, key));
    expect(await inTx((tx) => reverseJournalEntry(tx, spend.entryId, key))).toEqual({ entryId: reversal.entryId, replayed: true });
    await expect(inTx((tx) => reverseJournalEntry(tx, spend.entryId, uniqueId('rev')))).rejects.toMatchObject({
      type: FailureType.AlreadyReversed,
    });
    expect((await balances(wallet)).ledger).toBe(700n);
  });
});

describe('holds', () => {
  const hold = (wallet: bigint, source: bigint, amount: bigint, expiresAt = new Date(Date.now() + 60_000)) =>
    inTx((tx) =>
      placeHold(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('hold'), debitAccountId: wallet, creditAccountId: source, amount, description: 'hold', expiresAt }),
    );

  it('when a hold is placed, then it counts against the available balance at once but not the ledger balance', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 1000n);
    await hold(wallet, source, 400n);
    expect(await balances(wallet)).toMatchObject({ ledger: 1000n, available: 600n });
    await expect(hold(wallet, source, 601n)).rejects.toMatchObject({ type: FailureType.InsufficientFunds });
  });

  it('when a hold is posted in part, then only that part moves and the rest is released', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 1000n);
    const h = await hold(wallet, source, 400n);
    await inTx((tx) => postHold(tx, h.id, 250n));
    expect(await balances(wallet)).toMatchObject({ ledger: 750n, available: 750n });
    expect(await inTx((tx) => postHold(tx, h.id, 250n))).toMatchObject({ replayed: true });
    await expectTrialBalanceZero(orm.em);
  });

  it('when a hold would be posted for more than it reserved, then it is refused', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 1000n);
    const h = await hold(wallet, source, 400n);
    await expect(inTx((tx) => postHold(tx, h.id, 401n))).rejects.toMatchObject({ type: FailureType.HoldExceeded });
  });

  it('when a hold was voided, then it cannot be posted and voiding again changes nothing', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 1000n);
    const h = await hold(wallet, source, 400n);
    await inTx((tx) => voidHold(tx, h.id));
    await inTx((tx) => voidHold(tx, h.id));
    await expect(inTx((tx) => postHold(tx, h.id))).rejects.toMatchObject({ type: FailureType.HoldNotPending });
    expect(await balances(wallet)).toMatchObject({ ledger: 1000n, available: 1000n });
  });

  it('when a hold has expired, then it cannot be posted', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 1000n);
    const h = await hold(wallet, source, 400n, new Date(Date.now() - 1));
    await expect(inTx((tx) => postHold(tx, h.id))).rejects.toMatchObject({ type: FailureType.HoldExpired });
  });
});

describe('accounts', () => {
  it('when an entry names an account that does not exist, then it is refused as not found and nothing is written', async () => {
    const { wallet } = await freshAccounts(orm.em);
    const key = uniqueId('ghost');
    await expect(
      inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: key, description: 'x', lines: transfer(999_999_999n, wallet, 100n) })),
    ).rejects.toMatchObject({ type: FailureType.NotFound });
    const [row] = await orm.em.fork().execute<{ n: string }[]>('select count(*) as n from journal_entries where idempotency_key = ?', [key]);
    expect(Number(row!.n)).toBe(0);
  });

  it('when an entry names an account of another tenant, then it is refused as not found', async () => {
    const { wallet } = await freshAccounts(orm.em);
    const foreign = await inTx((tx) => ensureAccount(tx, { tenant: 'gencharge', currency: 'INR', code: uniqueId('acct'), debitsMustNotExceedCredits: false }));
    await expect(
      inTx((tx) => postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('x'), description: 'x', lines: transfer(foreign, wallet, 100n) })),
    ).rejects.toMatchObject({ type: FailureType.NotFound });
    expect((await balances(wallet)).ledger).toBe(0n);
  });
});

describe('the books hold their own invariants', () => {
  /** Writes an entry and its lines by hand, past `postJournalEntry`'s own checks. */
  const insertByHand = async (tx: Orm['em'], lines: { accountId: bigint; direction: 'debit' | 'credit'; amount: bigint }[]) => {
    const [entry] = await tx.execute<{ id: string }[]>(
      `insert into journal_entries (tenant, idempotency_key, fingerprint, description) values ('maxtera', ?, ?, 'by hand') returning id`,
      [uniqueId('hand'), '0'.repeat(64)],
    );
    for (const l of lines) {
      await tx.execute('insert into journal_lines (entry_id, account_id, direction, amount) values (?, ?, ?, ?)', [
        entry!.id,
        l.accountId.toString(),
        l.direction,
        l.amount.toString(),
      ]);
    }
    return BigInt(entry!.id);
  };
  const entryCount = async () => {
    const [row] = await orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from journal_entries where description = 'by hand'`);
    return Number(row!.n);
  };

  it('when lines that do not balance are inserted by hand, then the commit is refused and nothing is kept', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    const before = await entryCount();
    await expect(
      inTx((tx) =>
        insertByHand(tx, [
          { accountId: source, direction: 'debit', amount: 100n },
          { accountId: wallet, direction: 'credit', amount: 99n },
        ]),
      ),
    ).rejects.toThrow(/does not balance/);
    expect(await entryCount()).toBe(before);
  });

  it('when an entry has a single line or none, then the commit is refused', async () => {
    const { source } = await freshAccounts(orm.em);
    await expect(inTx((tx) => insertByHand(tx, [{ accountId: source, direction: 'debit', amount: 100n }]))).rejects.toThrow(/does not balance/);
    await expect(inTx((tx) => insertByHand(tx, []))).rejects.toThrow(/does not balance/);
  });

  it('when balanced lines are inserted by hand, then the commit goes through (the check waits for the last line)', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    const id = await inTx(async (tx) => {
      const entryId = await insertByHand(tx, [
        { accountId: source, direction: 'debit', amount: 60n },
        { accountId: source, direction: 'debit', amount: 40n },
        { accountId: wallet, direction: 'credit', amount: 100n },
      ]);
      // Account totals by hand too, so every other test's trial balance still nets to zero.
      await tx.execute('update ledger_accounts set debits_posted = debits_posted + 100 where id = ?', [source.toString()]);
      await tx.execute('update ledger_accounts set credits_posted = credits_posted + 100 where id = ?', [wallet.toString()]);
      return entryId;
    });
    const [row] = await orm.em.fork().execute<{ n: string }[]>('select count(*) as n from journal_lines where entry_id = ?', [id.toString()]);
    expect(Number(row!.n)).toBe(3);
  });

  it.each([
    ['update journal_lines set amount = amount + 1 where entry_id = ?'],
    ['delete from journal_lines where entry_id = ?'],
    [`update journal_entries set description = 'edited' where id = ?`],
    ['delete from journal_entries where id = ?'],
  ])('when a posted entry is changed (%s), then the database refuses it', async (statement) => {
    const { wallet, source } = await freshAccounts(orm.em);
    const posted = await inTx((tx) =>
      postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('p'), description: 'x', lines: transfer(source, wallet, 300n) }),
    );
    await expect(inTx((tx) => tx.execute(statement, [posted.entryId.toString()]))).rejects.toThrow(/immutable/);
    const [row] = await orm.em
      .fork()
      .execute<{ n: string; total: string; description: string }[]>(
        'select count(*) as n, sum(l.amount) as total, min(e.description) as description from journal_lines l join journal_entries e on e.id = l.entry_id where e.id = ?',
        [posted.entryId.toString()],
      );
    expect(row).toEqual({ n: '2', total: '600', description: 'x' });
  });

  it('when two reversals of one entry race, then exactly one posts and the other is refused as already reversed', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    await fund(source, wallet, 10_000n);
    // Several entries, each reversed twice at once, so the race really happens.
    for (let i = 0; i < 5; i++) {
      const spend = await inTx((tx) =>
        postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('s'), description: 'x', lines: transfer(wallet, source, 100n) }),
      );
      const results = await Promise.allSettled([
        inTx((tx) => reverseJournalEntry(tx, spend.entryId, uniqueId('rev-a'))),
        inTx((tx) => reverseJournalEntry(tx, spend.entryId, uniqueId('rev-b'))),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.reason).toMatchObject({ type: FailureType.AlreadyReversed });
    }
    expect((await balances(wallet)).ledger).toBe(10_000n);
    await expectTrialBalanceZero(orm.em);
  });

  it('when postings commit while the trial balance is read, then every read nets to zero', async () => {
    const { wallet, source } = await freshAccounts(orm.em);
    let posting = true;
    const postings = Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 25; i++) {
          await inTx((tx) =>
            postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('tb'), description: 'x', lines: transfer(source, wallet, 7n) }),
          );
        }
      }),
    ).finally(() => {
      posting = false;
    });
    const reads = [];
    while (posting) reads.push(await trialBalance(orm.em.fork(), 'maxtera'));
    await postings;
    expect(reads.length).toBeGreaterThan(0);
    for (const tb of reads) {
      expect(tb.lineDebits).toBe(tb.debitsPosted);
      expect(tb.lineCredits).toBe(tb.creditsPosted);
    }
  });
});
