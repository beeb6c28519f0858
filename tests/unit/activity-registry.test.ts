import { mergeActivityGroups } from '../../activities/index.js';

describe('the activity registry', () => {
  it('when two groups export activities with different names, then the worker gets them all', () => {
    const merged = mergeActivityGroups({ fundWallet: async () => 'a' }, { settlePurchase: async () => 'b' });
    expect(Object.keys(merged).sort()).toEqual(['fundWallet', 'settlePurchase']);
  });

  it('when two groups export an activity of the same name, then building the registry is refused', () => {
    expect(() => mergeActivityGroups({ creditWallet: async () => 'funding' }, { creditWallet: async () => 'refund' })).toThrow(
      'two activities are named "creditWallet"',
    );
  });
});
