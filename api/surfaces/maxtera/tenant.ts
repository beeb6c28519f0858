export const MAXTERA = { slug: 'maxtera', currency: 'NGN' } as const;
