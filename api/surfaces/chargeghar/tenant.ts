export const CHARGEGHAR = { slug: 'chargeghar', currency: 'NPR' } as const;

/** How the app signs its messages. */
export const CHARGEGHAR_APP_NAME = 'ChargeGhar';
/** Usage statistics are bucketed by Nepal's calendar days, not UTC's. */
export const CHARGEGHAR_TIMEZONE = 'Asia/Kathmandu';
/** What a one-time code can be requested for. */
export const OTP_PURPOSES = ['register', 'login'] as const;
export type OtpPurpose = (typeof OTP_PURPOSES)[number];

/** The httpOnly cookie that carries the refresh token for browser clients. */
export const REFRESH_COOKIE = 'chargeghar_refresh';

/** Reward points live in the ledger too, in their own unit, so they are never added to money. */
export const POINTS_UNIT = 'PTS';
export const pointsAccountCode = (userId: number) => `points:${userId}`;
