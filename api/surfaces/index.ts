import type express from 'express';
import type { TenantContext } from '../types.js';
import { createMaxteraRouter } from './maxtera/router.js';
import { MAXTERA } from './maxtera/tenant.js';
import { createXcleraRouter } from './xclera/router.js';
import { XCLERA } from './xclera/tenant.js';
import { createMyMoolahRouter } from './mymoolah/router.js';
import { MYMOOLAH } from './mymoolah/tenant.js';
import { createChargeGharRouter } from './chargeghar/router.js';
import { CHARGEGHAR } from './chargeghar/tenant.js';
import { createGenChargeRouter } from './gencharge/router.js';
import { GENCHARGE } from './gencharge/tenant.js';
import type { SurfaceDeps } from './types.js';

export interface Surface {
  /** The tenant the app serves; its currency is part of the app's contract. */
  tenant: TenantContext;
  createRouter(deps: SurfaceDeps, mountPath: string): express.Router;
}

/** Every app the platform serves, at /{slug}. A new app is a new room plus one line here. */
export const SURFACES: Record<string, Surface> = {
  maxtera: { tenant: MAXTERA, createRouter: createMaxteraRouter },
  xclera: { tenant: XCLERA, createRouter: createXcleraRouter },
  mymoolah: { tenant: MYMOOLAH, createRouter: createMyMoolahRouter },
  chargeghar: { tenant: CHARGEGHAR, createRouter: createChargeGharRouter },
  gencharge: { tenant: GENCHARGE, createRouter: createGenChargeRouter },
};

/**
 * The apps' contracts fix their currencies; the tenant rows must agree, or the API refuses to
 * start rather than show one currency and book another.
 */
export function assertSurfacesMatchTenants(tenants: Array<{ slug: string; currency: string }>): void {
  for (const [slug, surface] of Object.entries(SURFACES)) {
    const row = tenants.find((t) => t.slug === slug);
    if (!row) throw new Error(`the ${slug} app has no tenant row; run the migrations`);
    if (row.currency !== surface.tenant.currency) {
      throw new Error(`the ${slug} app shows ${surface.tenant.currency}, but its tenant row books ${row.currency}`);
    }
  }
}
