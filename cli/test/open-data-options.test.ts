import { describe, expect, it } from 'vitest';
import { openDataTerms } from '../src/open-data-options.ts';

describe('serve --data-license / --data-publisher', () => {
  it('defaults to CC BY 4.0 and takes ODbL', () => {
    expect(openDataTerms({}).license.id).toBe('CC-BY-4.0');
    const odbl = openDataTerms({ 'data-license': 'ODbL-1.0', 'data-publisher': '  台中市環保局 ' });
    expect(odbl).toEqual({
      license: expect.objectContaining({ id: 'ODbL-1.0' }),
      publisher: '台中市環保局',
    });
  });

  it('names a licence it does not know and the ones it does', () => {
    expect(() => openDataTerms({ 'data-license': 'MIT' })).toThrow(
      "--data-license must be CC-BY-4.0 or ODbL-1.0, got 'MIT'",
    );
    expect(() => openDataTerms({ 'data-publisher': ' ' })).toThrow(/must name someone/);
  });
});
