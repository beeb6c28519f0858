import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType, publicError, unauthenticated } from '../../../core/errors.js';
import { registerUser, verifyPassword, type UserRecord } from '../../../core/users.js';
import { MyMoolahProfile } from '../../../db/entities/index.js';
import { body } from '../../validation.js';
import type { SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MYMOOLAH } from './tenant.js';

/** Registration, login by mobile number or email, and token refresh, as the app's spec shows them. */
export function registerAuthRoutes({ deps, route, authLimit }: SurfaceRoutes): void {
  const { invalid, unauthorized, throttled, conflict } = S.ERRORS;

  async function signedIn(user: Pick<UserRecord, 'id' | 'role'>, message: string) {
    const tokens = await deps.tokens.issue(deps.em, { id: user.id, tenant: MYMOOLAH.slug, role: user.role });
    return { success: true, message, token: tokens.access, refreshToken: tokens.refresh, user: await appUser(deps.em, user.id) };
  }

  route(
    {
      method: 'post',
      path: '/api/v1/auth/register',
      summary: 'Register with name, email, mobile number, password and identity document',
      description:
        'A South African ID number is checked (date of birth and check digit); a passport number is accepted with `idType: passport`. One account per mobile number and per email. Answers with a token like login (plus `refreshToken`, for /auth/refresh).',
      secured: false,
      body: S.RegisterBody,
      responses: { 201: { description: 'Registered and signed in', schema: S.AuthResponse }, 400: invalid, 409: conflict, 429: throttled },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, S.RegisterBody);
      const em = deps.em.fork();
      if (await em.count(MyMoolahProfile, { phone: input.phoneNumber })) {
        throw publicError(FailureType.Conflict, 'An account with this phone number already exists', undefined, { publicDetails: { code: 'USER_EXISTS' } });
      }
      const [taken] = await em.execute<{ id: string }[]>('select id from users where tenant = ? and email = ?', [MYMOOLAH.slug, input.email]);
      if (taken) throw publicError(FailureType.Conflict, 'An account with this email already exists', undefined, { publicDetails: { code: 'USER_EXISTS' } });
      const [firstName, ...rest] = input.name.split(/\s+/);
      const user = await registerUser(
        deps.em,
        { tenant: MYMOOLAH.slug, currency: MYMOOLAH.currency, email: input.email, phone: input.phoneNumber, password: input.password },
        {
          within: (tx, userId) =>
            tx.execute(
              `insert into mymoolah_profiles (user_id, first_name, last_name, phone, id_number, id_type) values (?, ?, ?, ?, ?, ?)`,
              [userId, firstName, rest.join(' '), input.phoneNumber, input.idNumber, input.idType],
            ).then(() => undefined),
        },
      );
      res.status(201).json(await signedIn(user, 'User registered successfully.'));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/login',
      summary: 'Log in with the mobile number (+27...) or the email address, and the password',
      secured: false,
      body: S.LoginBody,
      responses: { 200: { description: 'Signed in', schema: S.AuthResponse }, 400: invalid, 401: unauthorized, 429: throttled },
    },
    authLimit,
    async (req, res) => {
      const { identifier, password } = body(req, S.LoginBody);
      const phone = S.saMobile.safeParse(identifier);
      let email = identifier.toLowerCase();
      if (phone.success) {
        const [row] = await deps.em.fork().execute<{ email: string }[]>(
          `select u.email from mymoolah_profiles p join users u on u.id = p.user_id where p.phone = ? and u.tenant = ?`,
          [phone.data, MYMOOLAH.slug],
        );
        // An unknown number still checks a password, so both answers take as long.
        email = row?.email ?? `unknown-${phone.data}@mymoolah.invalid`;
      }
      const user = await verifyPassword(deps.em, MYMOOLAH.slug, email, password);
      if (!user) throw unauthenticated('bad-credentials');
      res.json(await signedIn(user, 'Login successful.'));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/refresh',
      summary: 'Exchange the refresh token for a new token pair (the old refresh token stops working)',
      description: 'Reusing a refresh token that was already exchanged revokes every token of that login.',
      secured: false,
      body: S.RefreshBody,
      responses: { 200: { description: 'New tokens', schema: S.AuthResponse.omit({ user: true }) }, 400: invalid, 401: unauthorized, 429: throttled },
    },
    authLimit,
    async (req, res) => {
      const { refreshToken } = body(req, S.RefreshBody);
      const pair = await deps.tokens.rotate(deps.em, MYMOOLAH.slug, refreshToken);
      res.json({ success: true, message: 'Token refreshed successfully.', token: pair.access, refreshToken: pair.refresh });
    },
  );
}

/** The user as the app shows it: names and KYC status from the MyMoolah profile. */
export async function appUser(em: EntityManager, userId: number) {
  const [row] = await em.fork().execute<
    { id: string; email: string | null; phone: string | null; role: 'user' | 'admin'; first_name: string | null; last_name: string | null; kyc_status: string | null }[]
  >(
    `select u.id, u.email, coalesce(p.phone, u.phone) as phone, u.role, p.first_name, p.last_name, p.kyc_status
     from users u left join mymoolah_profiles p on p.user_id = u.id where u.id = ? and u.tenant = ?`,
    [userId, MYMOOLAH.slug],
  );
  if (!row) throw new DomainError(FailureType.Unauthenticated, `user ${userId} not found`, { reason: 'invalid' });
  return {
    id: Number(row.id),
    phone: row.phone,
    email: row.email,
    firstName: row.first_name ?? '',
    lastName: row.last_name ?? '',
    kycStatus: row.kyc_status ?? 'not_started',
    role: row.role,
  };
}
