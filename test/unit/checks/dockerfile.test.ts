import { describe, expect, it } from 'vitest';
import { dockerfileCheck, parseDockerfile, type DockerfileParams } from '../../../src/checks/dockerfile.ts';
import { evidence, asShown } from '../../helpers/evidence.ts';

const ALL = ['multi-stage', 'non-root-user', 'healthcheck', 'dockerignore', 'slim-base', 'no-latest-tag'];

/** A good Dockerfile, with the parsing traps students' files have. */
const GOOD = `# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.11

FROM python:\${PYTHON_VERSION}-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels \\
    # a comment inside a continuation
    -r requirements.txt
COPY <<EOF /app/app.py
from fastapi import FastAPI
USER root
app = FastAPI()
EOF

FROM python:\${PYTHON_VERSION}-slim AS runtime
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && useradd --create-home app
COPY --from=builder /app/app.py .
user app
HEALTHCHECK --interval=30s CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]
`;

const DOCKERIGNORE = '.git\n.venv\n__pycache__/\ndata/\n.env\n';

function params(raw: Record<string, unknown>): DockerfileParams {
  return dockerfileCheck.params.parse(raw);
}

function run(require: string[], files: Record<string, string | null>, extra: Record<string, unknown> = {}) {
  return asShown(dockerfileCheck.evaluate(params({ require, ...extra }), evidence({ files })));
}

describe('dockerfile params', () => {
  it('fills defaults and asks for Dockerfiles, compose files and .dockerignore', () => {
    const p = params({ require: ['healthcheck'] });
    expect(p).toMatchObject({ minStages: 2, partial: true, file: ['Dockerfile', '**/Dockerfile', '**/*.Dockerfile', '**/Dockerfile.*'] });
    const contents = dockerfileCheck.requirements(p).contents;
    expect(contents).toEqual(expect.arrayContaining(['Dockerfile', 'docker-compose.y*ml', '**/compose.y*ml', '.dockerignore']));
  });

  it.each([
    ['no require', {}],
    ['an empty require', { require: [] }],
    ['an unknown fact', { require: ['small-image'] }],
    ['one stage as multi-stage', { require: ['multi-stage'], minStages: 1 }],
    ['a fractional minStages', { require: ['multi-stage'], minStages: 2.5 }],
    ['a misspelt key', { require: ['healthcheck'], composeFile: 'compose.yml' }],
    ['an empty file glob', { require: ['healthcheck'], file: '' }],
  ])('refuses %s', (_, raw) => {
    expect(dockerfileCheck.params.safeParse(raw).success).toBe(false);
  });
});

describe('dockerfile evaluate', () => {
  it('gives full marks to a good Dockerfile, citing lines', () => {
    const out = run(ALL, { Dockerfile: GOOD, '.dockerignore': DOCKERIGNORE });
    expect(out.items?.map((i) => [i.label.en, i.ok])).toEqual([
      ['2+ stages (multi-stage)', true],
      ['a non-root user (`USER`)', true],
      ['`HEALTHCHECK`', true],
      ['`.dockerignore`', true],
      ['a small base image (slim/alpine/distroless)', true],
      ['pinned image versions (no `latest`)', true],
    ]);
    expect(out.fraction).toBe(1);
    expect(out.items?.[0]?.note?.en).toBe('2 stages: `builder` (4), `runtime` (16)');
    expect(out.items?.[1]?.note?.en).toBe('line 21: `USER app`');
    expect(out.items?.[2]?.note?.en).toBe('line 22');
    expect(out.items?.[3]?.note?.en).toBe('`.dockerignore`: 5 rules');
    expect(out.items?.[4]?.note?.en).toBe('line 16: `python:3.11-slim`');
    expect(out.message.en).toBe('`Dockerfile` meets everything (6 of 6 requirements).');
    expect(out.annotations).toBeUndefined();
  });

  it('fails a final USER root and annotates that line', () => {
    const dockerfile = GOOD.replace('user app', 'USER app\nUSER 0:0');
    const out = run(['multi-stage', 'non-root-user'], { Dockerfile: dockerfile });
    expect(out.fraction).toBe(0.5);
    expect(out.items?.[1]).toMatchObject({ ok: false, note: { en: 'line 22: `USER 0:0` is root' } });
    expect(out.annotations).toEqual([expect.objectContaining({ path: 'Dockerfile', line: 22 })]);
    expect(out.annotations?.[0]?.message.es).toContain('useradd');
    expect(out.message.es).toContain('`Dockerfile` cumple 1 de 2 requisitos. Falta: usuario no root (`USER`)');
  });

  it('needs the USER in the final stage, but follows a stage built FROM another', () => {
    const builderOnly = 'FROM python:3.11-slim AS base\nUSER app\nFROM python:3.11-slim\nCMD ["python"]\n';
    const out = run(['non-root-user'], { Dockerfile: builderOnly });
    expect(out.fraction).toBe(0);
    expect(out.items?.[0]?.note?.en).toContain('no `USER` in the final stage');
    expect(out.annotations).toEqual([expect.objectContaining({ line: 4 })]);
    const inherited = 'FROM python:3.11-slim AS base\nUSER app\nFROM base AS final\nCMD ["python"]\n';
    expect(run(['non-root-user', 'slim-base', 'no-latest-tag'], { Dockerfile: inherited }).fraction).toBe(1);
  });

  it('does not count HEALTHCHECK NONE, but accepts a compose healthcheck', () => {
    const none = GOOD.replace(/HEALTHCHECK .*\n/, 'HEALTHCHECK NONE\n');
    const out = run(['healthcheck'], { Dockerfile: none });
    expect(out.fraction).toBe(0);
    expect(out.items?.[0]?.note?.en).toBe('line 22: `HEALTHCHECK NONE` turns it off');
    expect(out.annotations?.[0]?.line).toBe(22);
    const compose = 'services:\n  api:\n    build: .\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n';
    const withCompose = run(['healthcheck'], { Dockerfile: none, 'docker-compose.yml': compose });
    expect(withCompose.fraction).toBe(1);
    expect(withCompose.items?.[0]?.note?.en).toBe('in `docker-compose.yml`, service `api`');
    const disabled = compose.replace('test: ["CMD", "curl", "-f", "http://localhost:8000/health"]', 'disable: true');
    expect(run(['healthcheck'], { Dockerfile: none, 'compose.yaml': disabled }).fraction).toBe(0);
  });

  it('finds .dockerignore next to the Dockerfile or at the root, and refuses an empty one', () => {
    expect(run(['dockerignore'], { 'api/Dockerfile': GOOD, 'api/.dockerignore': DOCKERIGNORE }).fraction).toBe(1);
    expect(run(['dockerignore'], { 'api/Dockerfile': GOOD, '.dockerignore': DOCKERIGNORE }).fraction).toBe(1);
    const empty = run(['dockerignore'], { Dockerfile: GOOD, '.dockerignore': '# nothing yet\n\n' });
    expect(empty.fraction).toBe(0);
    expect(empty.items?.[0]?.note?.en).toBe('`.dockerignore` is empty');
    const missing = run(['dockerignore'], { 'api/Dockerfile': GOOD, 'web/.dockerignore': DOCKERIGNORE });
    expect(missing.fraction).toBe(0);
    expect(missing.items?.[0]?.note?.en).toBe('there is no `api/.dockerignore`');
    expect(missing.message.en).toContain('create `.dockerignore` next to the Dockerfile');
  });

  it('wants a small base for the final stage and pinned tags everywhere', () => {
    const big = 'FROM python AS build\nRUN pip wheel .\nFROM localhost:5000/base:latest\nFROM builder-image\nFROM python:3.11\nCMD ["python"]\n';
    const out = run(['slim-base', 'no-latest-tag'], { Dockerfile: big });
    expect(out.fraction).toBe(0);
    expect(out.items?.[0]?.note?.en).toBe('line 5: `python:3.11`');
    expect(out.items?.[1]?.note?.en).toBe('no pinned version on lines 1, 3, 4');
    expect(out.annotations?.map((a) => a.line)).toEqual([5, 1, 3, 4]);
    const pinned = 'FROM python:3.11-slim@sha256:abc AS build\nFROM build\nFROM scratch\nFROM registry:5000/team/app:2.1-alpine\n';
    expect(run(['slim-base', 'no-latest-tag'], { Dockerfile: pinned }).fraction).toBe(1);
  });

  it('gives partial credit, or nothing when partial is off', () => {
    const single = 'FROM python:3.11-slim\nUSER app\nCMD ["python"]\n';
    // Only the user, the slim base and the pinned tag hold.
    expect(run(ALL, { Dockerfile: single }).fraction).toBe(0.5);
    expect(run(ALL, { Dockerfile: single }, { partial: false }).fraction).toBe(0);
    expect(run(['multi-stage'], { Dockerfile: GOOD }, { minStages: 3 }).items?.[0]).toMatchObject({ ok: false, label: { en: '3+ stages (multi-stage)' } });
  });

  it('tells how to start when there is no Dockerfile', () => {
    const out = run(ALL, { 'src/app.py': 'print(1)', '.dockerignore': DOCKERIGNORE });
    expect(out.fraction).toBe(0);
    expect(out.message.es).toContain('No encontré un `Dockerfile`');
    expect(out.message.en).toContain('FROM python:3.11-slim');
    expect(out.message.en).toContain('docker build');
  });

  it('says when the Dockerfile has no FROM', () => {
    const out = run(ALL, { Dockerfile: '# TODO\nRUN echo hi\n' });
    expect(out.fraction).toBe(0);
    expect(out.message.en).toContain('has no `FROM` instruction');
  });

  it('grades the best of several Dockerfiles and mentions the others', () => {
    const out = run(['multi-stage', 'non-root-user'], { Dockerfile: 'FROM python:3.11\n', 'docker/api.Dockerfile': GOOD });
    expect(out.fraction).toBe(1);
    expect(out.message.en).toContain('`docker/api.Dockerfile` meets everything');
    expect(out.message.en).toContain('There is also `Dockerfile`');
  });
});

describe('parseDockerfile', () => {
  it('keeps line numbers, skips heredoc bodies and reads stages', () => {
    const stages = parseDockerfile(GOOD);
    expect(stages.map((s) => [s.name, s.image, s.from.line])).toEqual([
      ['builder', 'python:3.11-slim', 4],
      ['runtime', 'python:3.11-slim', 16],
    ]);
    expect(stages[0]!.instructions.map((i) => [i.line, i.keyword])).toEqual([
      [5, 'WORKDIR'],
      [6, 'COPY'],
      [7, 'RUN'],
      [10, 'COPY'],
    ]);
    expect(stages[0]!.instructions[2]!.args).toBe('pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt');
  });

  it('honours the escape directive and FROM flags', () => {
    const stages = parseDockerfile('# escape=`\nFROM --platform=$BUILDPLATFORM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\nRUN echo a `\n  b\nUSER ContainerUser\n');
    expect(stages).toHaveLength(1);
    expect(stages[0]).toMatchObject({ name: 'win', image: 'mcr.microsoft.com/windows/servercore:ltsc2022' });
    expect(stages[0]!.instructions.map((i) => [i.line, i.keyword, i.args])).toEqual([
      [3, 'RUN', 'echo a b'],
      [5, 'USER', 'ContainerUser'],
    ]);
  });

  it('fills ARG defaults and leaves unknown ones', () => {
    const stages = parseDockerfile('ARG TAG\nARG BASE="python"\nFROM ${BASE}:${TAG:-3.12}-alpine\nFROM $BASE:$TAG\n');
    expect(stages.map((s) => s.image)).toEqual(['python:3.12-alpine', 'python:$TAG']);
  });
});
