import { describe, expect, it } from 'vitest';
import { structuredCheck } from '../../../src/checks/structured.ts';
import { hclError, MAX_HCL_FILE_BYTES, nestingDepth, parseHclFiles } from '../../../src/grading/hcl.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

/** The evidence the grader gathers: the files' text, and the HCL ones parsed by the real parser. */
async function hclEvidence(files: Record<string, string>) {
  const ev = evidence({ files });
  return { ...ev, hcl: await parseHclFiles([...ev.contents.values()]) };
}

async function run(raw: Record<string, unknown>, files: Record<string, string>) {
  return asShown(structuredCheck.evaluate(structuredCheck.params.parse(raw), await hclEvidence(files)));
}

const MAIN_TF = `terraform {
  required_version = ">= 1.5"
}

module "network" {
  source = "./modules/network"
  cidr   = var.cidr
}

resource "aws_s3_bucket" "models" {
  bucket = "models-\${var.env}"
  tags   = { env = var.env }
}
`;

const MODULES = {
  'infra/main.tf': MAIN_TF,
  'infra/variables.tf': 'variable "env" {\n  type    = string\n  default = "dev"\n}\n\nvariable "cidr" {\n  type = string\n}\n',
};

describe('structured check on Terraform (HCL)', () => {
  it('asks the grader to parse the HCL files it reads', () => {
    expect(structuredCheck.requirements(structuredCheck.params.parse({ files: 'infra/**/*.tf' }))).toEqual({ contents: ['infra/**/*.tf'], hcl: ['infra/**/*.tf'] });
  });

  it('finds modules, resources and variables by path (blocks are keys, bodies lists)', async () => {
    const outcome = await run(
      {
        files: 'infra/**/*.tf',
        minDocuments: 2,
        require: [
          { label: { es: 'usa un módulo local', en: 'uses a local module' }, path: 'module.*[].source', match: '^\\./modules/' },
          { label: { es: 'un bucket', en: 'a bucket' }, path: 'resource.aws_s3_bucket' },
          { label: { es: 'variables con tipo', en: 'typed variables' }, path: 'variable.*[].type', minCount: 2 },
          { label: { es: 'versión de terraform', en: 'terraform version' }, path: 'terraform[].required_version', match: '>=' },
        ],
      },
      MODULES,
    );
    expect(outcome.items?.map((i) => [i.label.en, i.ok])).toEqual([
      ['2 documents in `infra/**/*.tf`', true],
      ['uses a local module', true],
      ['a bucket', true],
      ['typed variables', true],
      ['terraform version', true],
    ]);
    expect(outcome.fraction).toBe(1);
  });

  it('a file that is not valid HCL: its line and the parser’s words, as a literal, and an annotation', async () => {
    const outcome = await run({ files: 'infra/*.tf', require: [{ path: 'resource' }] }, { 'infra/main.tf': 'resource "a" "b" {\n  x = \n}\n' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('`infra/main.tf`, line 2 is not valid HCL: HCL says `Invalid expression: Expected the start of an expression');
    expect(outcome.message.en).toContain('terraform validate');
    expect(outcome.annotations?.[0]).toMatchObject({ path: 'infra/main.tf', line: 2 });
  });

  it('hostile files are refused before parsing: too large, too deeply nested', async () => {
    const big = `locals {\n${'  x = "y"\n'.repeat(MAX_HCL_FILE_BYTES / 10 + 10)}}\n`;
    const deep = `locals {\n  x = ${'['.repeat(5000)}${']'.repeat(5000)}\n}\n`;
    const started = performance.now();
    const outcome = await run({ files: '*.tf' }, { 'big.tf': big, 'deep.tf': deep });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('`big.tf` is not valid HCL: it is too large to parse (over 64.0 KB)');
    expect(outcome.message.en).toContain('`deep.tf` is not valid HCL: it nests more than 64 levels');
  });

  it('YAML next to HCL keeps its own parser', async () => {
    const outcome = await run({ files: ['infra/*.tf', 'k8s/*.yaml'], minDocuments: 2 }, { 'infra/main.tf': MAIN_TF, 'k8s/a.yaml': 'kind: Service\n' });
    expect(outcome.fraction).toBe(1);
  });

  it('nesting depth ignores brackets in strings and comments; parser errors are summarised', () => {
    expect(nestingDepth('a = "[[[[" # {{{{\nb = [ { c = 1 } ]\n')).toBe(2);
    expect(hclError('parse config: [file.tf:1,14-15: Unclosed configuration block; There is no closing brace for this block before the end of the file.]')).toEqual({
      error: 'Unclosed configuration block: There is no closing brace for this block before the end of the file.',
      line: 1,
    });
  });
});
