export { fundWallet } from './fund-wallet.js';
export { purchase } from './purchase.js';
export { expireLedgerHolds } from './expire-holds.js';
export { settleLatePayment } from './late-payment.js';
