import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import type { SnapshotSource } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';

// The container is removed on every path that fails after it exists: a start that
// fails (a created container is never removed by AutoRemove) and a grading that
// throws after the container runs (it would otherwise live until its deadline).
const HOSTILE_PACK = fileURLToPath(new URL('../fixtures/packs/hostile/', import.meta.url));
const RUN = `removal-${randomUUID().slice(0, 8)}`;
const real = new DockerSandboxProvider();
let pack: Pack;

beforeAll(async () => {
  pack = await loadPack(HOSTILE_PACK);
});

afterAll(async () => {
  expect(await containersLeft(real, RUN)).toEqual([]);
});

describe('no container outlives a failure after it was created', () => {
  it('a container whose start fails is removed', async () => {
    const docker = new Docker();
    const create = docker.createContainer.bind(docker);
    let created: string | undefined;
    docker.createContainer = (async (options: Docker.ContainerCreateOptions) => {
      const container = await create(options);
      created = container.id;
      container.start = (async () => {
        throw Object.assign(new Error('start refused by the engine'), { statusCode: 500 });
      }) as Docker.Container['start'];
      return container;
    }) as Docker['createContainer'];
    const provider = new DockerSandboxProvider(docker);
    const jobId = `${RUN}-start`;
    await expect(provider.open({ image: pack.runner.image, limits: pack.runner.limits, jobId })).rejects.toThrow();
    // The engine really created it: the removal is what makes it gone.
    expect(created).toBeDefined();
    expect(await containersLeft(real, jobId)).toEqual([]);
  });

  it('a grading that throws once its container runs removes the container', async () => {
    const jobId = `${RUN}-throws`;
    let packed = false;
    const source: SnapshotSource = {
      description: 'a snapshot that fails while being packed',
      pack() {
        packed = true;
        throw new Error('the snapshot could not be read');
      },
    };
    await expect(grade({ pack, week: pack.weeks.get(1)!, source, jobId }, real)).rejects.toThrow('the snapshot could not be read');
    // The failure came after the container was opened (packing happens inside it).
    expect(packed).toBe(true);
    expect(await containersLeft(real, jobId)).toEqual([]);
  });
});
