import type { EntityManager } from '@mikro-orm/postgresql';
import { toMinor } from '../../core/money.js';
import { BillService, DataPlan } from '../entities/index.js';

const MAXTERA_DATA_PLANS: Array<[network: string, code: string, name: string, priceNaira: number, days: number]> = [
  ['MTN', '500MB', 'MTN 500MB - 30 days', 150, 30],
  ['MTN', '1GB', 'MTN 1GB - 30 days', 300, 30],
  ['MTN', '2GB', 'MTN 2GB - 30 days', 600, 30],
  ['MTN', '5GB', 'MTN 5GB - 30 days', 1500, 30],
  ['AIRTEL', '500MB', 'Airtel 500MB - 30 days', 150, 30],
  ['AIRTEL', '1GB', 'Airtel 1GB - 30 days', 300, 30],
  ['AIRTEL', '2GB', 'Airtel 2GB - 30 days', 600, 30],
  ['GLO', '1GB', 'Glo 1GB - 30 days', 280, 30],
  ['GLO', '2GB', 'Glo 2GB - 30 days', 560, 30],
  ['9MOBILE', '1GB', '9mobile 1GB - 30 days', 300, 30],
  ['9MOBILE', '2GB', '9mobile 2GB - 30 days', 600, 30],
];

const MAXTERA_BILL_SERVICES: Array<[code: string, name: string, category: 'cable' | 'electricity' | 'internet' | 'water', minNaira: number, maxNaira: number]> = [
  ['DSTV', 'DStv subscription', 'cable', 1000, 100_000],
  ['GOTV', 'GOtv subscription', 'cable', 500, 50_000],
  ['STARTIMES', 'StarTimes subscription', 'cable', 500, 50_000],
  ['IKEDC', 'Ikeja Electric prepaid', 'electricity', 500, 500_000],
  ['EKEDC', 'Eko Electric prepaid', 'electricity', 500, 500_000],
  ['AEDC', 'Abuja Electric prepaid', 'electricity', 500, 500_000],
];

/** Maxtera's development catalogue: data plans and billers, priced in naira. */
export async function seedMaxtera(em: EntityManager): Promise<void> {
  const naira = (amount: number) => toMinor(amount, 'NGN');
  await em.upsertMany(
    DataPlan,
    MAXTERA_DATA_PLANS.map(([network, code, name, price, validityDays]) => ({ tenant: 'maxtera', network, code, name, price: naira(price), validityDays })),
    { onConflictFields: ['tenant', 'network', 'code'], onConflictAction: 'ignore' },
  );
  await em.upsertMany(
    BillService,
    MAXTERA_BILL_SERVICES.map(([code, name, category, min, max]) => ({ tenant: 'maxtera', code, name, category, minAmount: naira(min), maxAmount: naira(max) })),
    { onConflictFields: ['tenant', 'code'], onConflictAction: 'ignore' },
  );
}
