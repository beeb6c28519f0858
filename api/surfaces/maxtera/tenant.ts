export const MAXTERA = { slug: 'maxtera', currency: 'NGN' } as const;

/** Maxtera's reference numbering: deposits continue the MPX-230... series the app already shows. */
export const MAXTERA_REFERENCES = {
  funding: { kind: 'funding', startAt: 23019482 },
  purchase: { kind: 'purchase', startAt: 1 },
} as const;
