/** Where the shared ARC-AGI-1 corpus is: `../shared/arc-agi-1` beside the repository (CI lays it there), or $BATT_ARC_DIR. */
import * as path from 'path';

export const ARC_DIR = process.env.BATT_ARC_DIR ?? path.resolve(__dirname, '..', '..', 'shared', 'arc-agi-1');
export const ARC_TRAINING = path.join(ARC_DIR, 'training');
