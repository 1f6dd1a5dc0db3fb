import { describe, expect, it } from 'vitest';
import { aimName, splitAim } from '../../../drivers/scanner/aim.js';

describe('AIM symbology identifiers', () => {
  it.each([
    [']Q1PKS1.abc', ']Q1', 'PKS1.abc', 'QR Code'],
    [']d2010950', ']d2', '010950', 'Data Matrix'],
    [']C0ABC-123', ']C0', 'ABC-123', 'Code 128'],
    [']E04006381333931', ']E0', '4006381333931', 'EAN/UPC'],
    [']z0hello', ']z0', 'hello', 'Aztec'],
  ])('splits %s', (line, symbology, text, name) => {
    expect(splitAim(line)).toEqual({ symbology, text });
    expect(aimName(symbology)).toBe(name);
  });

  it.each([']', ']Q', ']W1data', ']Q-data', 'Q1data', 'plain', '', ']]Q1'])('leaves %j alone (no known identifier)', (line) => {
    expect(splitAim(line)).toEqual({ symbology: null, text: line });
  });

  it('keeps an identifier with nothing after it as an empty text', () => {
    expect(splitAim(']Q1')).toEqual({ symbology: ']Q1', text: '' });
    expect(aimName(']W1')).toBeNull();
    expect(aimName('Q1')).toBeNull();
  });
});
