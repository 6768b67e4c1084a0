import { describe, expect, it } from 'vitest';
import { payloadOf } from '../../../src/jobs/payloads.ts';

const push = { deliveryId: 'd1', installationId: 1, owner: 'clase', repo: 'mlops-ana', repoId: 7, topics: [], sha: 'a'.repeat(40), deliveredAt: '2026-09-08T15:00:00.000Z', trigger: 'push' };

describe('job payloads, checked at the store’s boundary', () => {
  it('a grading payload passes as it is, and one missing a field fails naming it', () => {
    // A job recorded before grading units names its week: it reads as the unit.
    expect(payloadOf('grade', { ...push, week: 2, pullRequest: { number: 3 } })).toEqual({ ...push, unit: 'week-2', pullRequest: { number: 3 } });
    expect(payloadOf('grade', { ...push, unit: 'final/first' })).toEqual({ ...push, unit: 'final/first' });
    expect(() => payloadOf('grade', { ...push, repoId: undefined })).toThrow(/repoId/);
    expect(() => payloadOf('grade', { ...push, trigger: 'command' })).toThrow(/trigger/);
  });

  it('a superseded notice needs the commit that replaced it and the check run to end', () => {
    expect(() => payloadOf('supersede-notice', push)).toThrow(/supersededBy|checkRunId/);
    expect(payloadOf('supersede-notice', { ...push, supersededBy: 'b'.repeat(40), checkRunId: 9 })).toMatchObject({ supersededBy: 'b'.repeat(40), checkRunId: 9 });
  });

  it('a command payload carries its comment', () => {
    const command = { ...push, sha: '', trigger: 'command', pullRequest: { number: 3 }, action: 'created', comment: { id: 5, body: '/rubrica help', author: 'tere', createdAt: '2026-09-08T15:00:00Z' }, sender: 'tere' };
    expect(payloadOf('ta-command', command)).toEqual(command);
    expect(() => payloadOf('ta-command', { ...command, comment: { id: 5 } })).toThrow(/body|author/);
  });
});
