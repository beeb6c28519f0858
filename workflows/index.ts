export { fundWallet } from './fund-wallet.js';
export { purchase } from './purchase.js';
export { settleLatePayment, parkUnmatchedPayment, resolveSuspenseItem } from './late-payment.js';
export { runHousekeeping } from './housekeeping.js';
export { reconcileTenant } from './reconciliation.js';
export { matrixPayment } from './xclera-matrix.js';
export { voucher } from './vouchers.js';
