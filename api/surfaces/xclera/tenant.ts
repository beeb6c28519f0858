import { XCLERA_TENANT } from '../../../core/xclera-matrix.js';

export const XCLERA = XCLERA_TENANT;
