import { currencyExponent, hasValidDecimals, toMajorNumber, toMajorString, toMinor } from '../../core/money.js';

describe('money in NGN (two decimals)', () => {
  it('when naira amounts are parsed, then they become exact kobo', () => {
    expect(toMinor('500', 'NGN')).toBe(50_000n);
    expect(toMinor('99.5', 'NGN')).toBe(9_950n);
    expect(toMinor(0.1, 'NGN')).toBe(10n);
    expect(toMinor(1234567.89, 'NGN')).toBe(123_456_789n);
    expect(toMinor(' 2000.05 ', 'NGN')).toBe(200_005n);
    expect(toMinor('-3.07', 'NGN')).toBe(-307n);
  });

  it('when a naira amount has more than two decimals or is not a number, then it is refused', () => {
    expect(() => toMinor('1.005', 'NGN')).toThrow(RangeError);
    expect(() => toMinor(0.125, 'NGN')).toThrow(RangeError);
    expect(() => toMinor('1e3', 'NGN')).toThrow(RangeError);
    expect(() => toMinor('', 'NGN')).toThrow(RangeError);
    expect(() => toMinor(Number.NaN, 'NGN')).toThrow(RangeError);
    expect(hasValidDecimals(99.99, 'NGN')).toBe(true);
    expect(hasValidDecimals(99.999, 'NGN')).toBe(false);
  });

  it('when kobo are shown, then they read as the spec shows naira', () => {
    expect(toMajorString(50_000n, 'NGN')).toBe('500.00');
    expect(toMajorString(5n, 'NGN')).toBe('0.05');
    expect(toMajorString(-307n, 'NGN')).toBe('-3.07');
    expect(toMajorNumber(540_000n, 'NGN')).toBe(5400);
    expect(toMajorNumber(10n, 'NGN')).toBe(0.1);
  });
});

describe('money in USDT (six decimals)', () => {
  it('when USDT amounts are parsed, then they become exact millionths', () => {
    expect(toMinor('1', 'USDT')).toBe(1_000_000n);
    expect(toMinor('0.000001', 'USDT')).toBe(1n);
    expect(toMinor('12.5', 'USDT')).toBe(12_500_000n);
    expect(toMinor(0.123456, 'USDT')).toBe(123_456n);
    expect(toMinor('90071992547409.930001', 'USDT')).toBe(90_071_992_547_409_930_001n);
  });

  it('when a USDT amount has more than six decimals, then it is refused, though six are fine', () => {
    expect(() => toMinor('0.0000001', 'USDT')).toThrow(RangeError);
    expect(hasValidDecimals('1.123456', 'USDT')).toBe(true);
    expect(hasValidDecimals('1.1234567', 'USDT')).toBe(false);
    expect(hasValidDecimals(1.123, 'NGN')).toBe(false);
    expect(hasValidDecimals(1.123, 'USDT')).toBe(true);
  });

  it('when millionths are shown, then every decimal of USDT is there', () => {
    expect(toMajorString(1n, 'USDT')).toBe('0.000001');
    expect(toMajorString(12_500_000n, 'USDT')).toBe('12.500000');
    expect(toMajorString(90_071_992_547_409_930_001n, 'USDT')).toBe('90071992547409.930001');
    expect(toMajorNumber(123_456n, 'USDT')).toBe(0.123456);
  });
});

describe('currencies', () => {
  it('when a currency is not in the table, then conversion refuses it rather than guess an exponent', () => {
    expect(currencyExponent('INR')).toBe(2);
    expect(() => toMinor('1', 'USD')).toThrow(/unknown currency: USD/);
    expect(() => toMajorString(1n, 'toString')).toThrow(/unknown currency/);
  });
});
