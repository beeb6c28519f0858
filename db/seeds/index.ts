import type { EntityManager } from '@mikro-orm/postgresql';
import { seedMaxtera } from './maxtera.js';
import { seedMyMoolah } from './mymoolah.js';
import { seedXclera } from './xclera.js';
import { seedChargeGhar } from './chargeghar.js';
import { seedGenCharge } from './gencharge.js';

/** Each app's development data (catalogues, levels, plans), in its own module; a new app adds one line. */
export const SURFACE_SEEDS: Array<(em: EntityManager) => Promise<void>> = [seedMaxtera, seedMyMoolah, seedXclera, seedChargeGhar, seedGenCharge];
