import { Migration20261124000000_initial } from './Migration20261124000000_initial.js';

/** Listed explicitly so migrations run the same under tsx, Jest and a compiled build. */
export const MIGRATIONS = [{ name: 'Migration20261124000000_initial', class: Migration20261124000000_initial }];
