import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../src/core/text.ts';
import { grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { gitRepo, tempDir } from '../fixtures/repos.ts';

/** Terraform read by the structured check through a real grading: the files come out of the sandbox, the grader parses them. */
const provider = new DockerSandboxProvider();
const RUN = `hcl-${randomUUID().slice(0, 8)}`;
let pack: Pack;

const WEEK = `week: 1
title: { es: Terraform modular, en: Modular Terraform }
criteria:
  - id: modulos
    title: { es: Terraform modular, en: Modular Terraform }
    points: 100
    check:
      kind: structured
      files: ['infra/**/*.tf']
      minDocuments: 2
      require:
        - { label: { es: usa un módulo local, en: uses a local module }, path: 'module.*[].source', match: '^\\./modules/' }
        - { label: { es: variables con tipo, en: typed variables }, path: 'variable.*[].type', minCount: 1 }
    feedback: { es: Separa la infraestructura en módulos., en: Split the infrastructure into modules. }
`;

beforeAll(async () => {
  const dir = await tempDir('hcl-pack');
  await fs.writeFile(join(dir, 'pack.yaml'), 'title: { es: Prueba, en: Test }\nlocale: en\nrunner:\n  image: rubrica/runner-mlops:1\nscale: 100\n');
  await fs.writeFile(join(dir, 'week-01.yaml'), WEEK);
  pack = await loadPack(dir);
});

afterAll(async () => {
  expect(await containersLeft(provider, RUN)).toEqual([]);
});

async function gradeFiles(files: Record<string, string>, name: string) {
  const repo = await gitRepo([{ message: 'feat: infra', files }], name);
  return (await grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(repo), jobId: `${RUN}-${name}`, ...(process.env.RUBRICA_RUNNER_IMAGE ? { image: process.env.RUBRICA_RUNNER_IMAGE } : {}) }, provider)).criteria[0]!;
}

describe('structured check on Terraform in a real grading', () => {
  it('modules and typed variables are found', async () => {
    const c = await gradeFiles(
      {
        'infra/main.tf': 'module "network" {\n  source = "./modules/network"\n  cidr   = var.cidr\n}\n',
        'infra/variables.tf': 'variable "cidr" {\n  type    = string\n  default = "10.0.0.0/16"\n}\n',
      },
      'ok',
    );
    expect(c.items.filter((i) => !i.ok)).toEqual([]);
    expect(c.status).toBe('passed');
  }, 120_000);

  it('an invalid file is named with its line', async () => {
    const c = await gradeFiles({ 'infra/main.tf': 'module "network" {\n  source = \n}\n', 'infra/variables.tf': 'variable "cidr" {\n  type = string\n}\n' }, 'bad');
    expect(c.status).not.toBe('passed');
    expect(plain(c.message.en)).toContain('`infra/main.tf`, line 2 is not valid HCL: HCL says `Invalid expression');
    expect(c.annotations[0]).toMatchObject({ path: 'infra/main.tf', line: 2 });
  }, 120_000);
});
