import { Migration20261124000000_initial } from './Migration20261124000000_initial.js';
import { Migration20261125000000_books_invariants } from './Migration20261125000000_books_invariants.js';
import { Migration20261125010000_money_paths } from './Migration20261125010000_money_paths.js';
import { Migration20261125020000_tenant_platform } from './Migration20261125020000_tenant_platform.js';
import { Migration20261125025000_transaction_kinds } from './Migration20261125025000_transaction_kinds.js';
import { Migration20261125030000_mymoolah } from './Migration20261125030000_mymoolah.js';
import { Migration20261125040000_chargeghar } from './Migration20261125040000_chargeghar.js';
import { Migration20261125050000_xclera } from './Migration20261125050000_xclera.js';
import { Migration20261125060000_gencharge } from './Migration20261125060000_gencharge.js';
import { Migration20261126000000_gencharge_notifications } from './Migration20261126000000_gencharge_notifications.js';
import { Migration20261126010000_gencharge_recharge } from './Migration20261126010000_gencharge_recharge.js';
import { Migration20261126020000_gencharge_autopay } from './Migration20261126020000_gencharge_autopay.js';
import { Migration20261126030000_gencharge_referrals_announcements } from './Migration20261126030000_gencharge_referrals_announcements.js';
import { Migration20261126040000_gencharge_content } from './Migration20261126040000_gencharge_content.js';
import { Migration20261126050000_gencharge_backups } from './Migration20261126050000_gencharge_backups.js';
import { Migration20261126063000_gencharge_analytics } from './Migration20261126063000_gencharge_analytics.js';

/** Listed explicitly so migrations run the same under tsx, Jest and a compiled build. */
export const MIGRATIONS = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
  { name: 'Migration20261125000000_books_invariants', class: Migration20261125000000_books_invariants },
  { name: 'Migration20261125010000_money_paths', class: Migration20261125010000_money_paths },
  { name: 'Migration20261125020000_tenant_platform', class: Migration20261125020000_tenant_platform },
  { name: 'Migration20261125025000_transaction_kinds', class: Migration20261125025000_transaction_kinds },
  { name: 'Migration20261125030000_mymoolah', class: Migration20261125030000_mymoolah },
  { name: 'Migration20261125040000_chargeghar', class: Migration20261125040000_chargeghar },
  { name: 'Migration20261125050000_xclera', class: Migration20261125050000_xclera },
  { name: 'Migration20261125060000_gencharge', class: Migration20261125060000_gencharge },
  { name: 'Migration20261126000000_gencharge_notifications', class: Migration20261126000000_gencharge_notifications },
  { name: 'Migration20261126010000_gencharge_recharge', class: Migration20261126010000_gencharge_recharge },
  { name: 'Migration20261126020000_gencharge_autopay', class: Migration20261126020000_gencharge_autopay },
  { name: 'Migration20261126030000_gencharge_referrals_announcements', class: Migration20261126030000_gencharge_referrals_announcements },
  { name: 'Migration20261126040000_gencharge_content', class: Migration20261126040000_gencharge_content },
  { name: 'Migration20261126050000_gencharge_backups', class: Migration20261126050000_gencharge_backups },
  { name: 'Migration20261126063000_gencharge_analytics', class: Migration20261126063000_gencharge_analytics },
];
