export { fundWallet } from './fund-wallet.js';
export { purchase } from './purchase.js';
export { settleLatePayment, parkUnmatchedPayment, resolveSuspenseItem } from './late-payment.js';
export { runHousekeeping } from './housekeeping.js';
export { reconcileTenant } from './reconciliation.js';
export { otpChallenge } from './otp.js';
export { deleteAccount } from './account-deletion.js';
export { reviewKyc } from './kyc-review.js';
