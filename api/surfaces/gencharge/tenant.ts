export const GENCHARGE = { slug: 'gencharge', currency: 'INR' } as const;

/** How the app signs its messages. */
export const GENCHARGE_APP_NAME = 'GenCharge';

/** What a one-time code can be requested for. */
export const OTP_PURPOSES = { signup: 'signup', login: 'login' } as const;

/**
 * The resources of the admin API. Each admin route checks one of them, with the verb its method
 * implies; a role holds permission rows of (resource, read, write, edit, delete).
 */
export const RESOURCES = [
  'Users',
  'Admins',
  'Roles',
  'Plans',
  'Offers',
  'Recharge',
  'Autopay',
  'Referrals',
  'Notifications',
  'Content',
  'Contact',
  'Backup',
  'Reports',
  'Analytics',
] as const;
export type Resource = (typeof RESOURCES)[number];

export const PERMISSION_ACTIONS = ['read', 'write', 'edit', 'delete'] as const;
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

/** read for GET, write for POST, edit for PUT and PATCH, delete for DELETE. */
export function actionFor(method: 'get' | 'post' | 'put' | 'patch' | 'delete'): PermissionAction {
  return ({ get: 'read', post: 'write', put: 'edit', patch: 'edit', delete: 'delete' } as const)[method];
}

/** Indian mobile numbers are stored in E.164 (what twilio sends to) and shown as the 10 digits the app uses. */
export const toE164 = (mobile: string) => `+91${mobile}`;
export const fromE164 = (phone: string | null | undefined) => (phone ? phone.replace(/^\+91/, '') : null);
