export { fundWallet } from './fund-wallet.js';
export { purchase } from './purchase.js';
