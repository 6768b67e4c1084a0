import { describe, expect, it } from 'vitest';
import { manualCheck } from '../../../src/checks/manual.ts';
import { evidence } from '../../helpers/evidence.ts';

describe('manual check', () => {
  it('shows what the TA will review and asks for no evidence', () => {
    const params = manualCheck.params.parse({ instructions: { es: 'Mira el video.', en: 'Watch the video.' } });
    expect(manualCheck.requirements(params)).toEqual({});
    expect(manualCheck.evaluate(params, evidence()).message.en).toBe('Watch the video.');
    expect(manualCheck.params.safeParse({ instructions: { es: 'solo español' } }).success).toBe(false);
  });
});
