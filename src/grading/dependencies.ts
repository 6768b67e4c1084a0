import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';

/**
 * The Python dependencies a student declared, read from the files a TA would look at.
 * Pure: the grader reads the files in the sandbox and hands their text here. Shared by
 * the import check (a declared module the image lacks is the course's environment, not
 * the student's fault) and the optional install phase.
 */

/** One declared distribution. */
export interface DeclaredDependency {
  /** Normalized distribution name (PEP 503: lowercase, runs of `-_.` as one `-`), e.g. `scikit-learn`. */
  readonly name: string;
  /** The file that declared it, relative to the repository. */
  readonly file: string;
  /** The requirement as written (`pandas>=2.0`, `torch @ https://…`), for an installer. */
  readonly requirement: string;
}

export interface TextFile {
  readonly path: string;
  readonly text: string;
}

/** Files that declare dependencies, by base name (any folder). */
const DECLARING_FILE = /(^|\/)(requirements[^/]*\.(txt|in)|pyproject\.toml|setup\.cfg|setup\.py|environment\.ya?ml|Pipfile)$/i;

/** Whether a path is one of the files `declaredDependencies` reads. */
export function isDependencyFile(path: string): boolean {
  return DECLARING_FILE.test(path);
}

/** Globs of the files `declaredDependencies` reads, for a check's `contents` requirement. */
export const DEPENDENCY_FILE_GLOBS: readonly string[] = [
  '**/requirements*.txt',
  '**/requirements*.in',
  '**/requirements/*.txt',
  '**/pyproject.toml',
  '**/setup.cfg',
  '**/setup.py',
  '**/environment.yml',
  '**/environment.yaml',
  '**/Pipfile',
];

/** PEP 503 normalization: `Scikit_Learn` and `scikit.learn` are `scikit-learn`. */
export function normalizeDistribution(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * Every dependency declared in `files` (non-declaring files are ignored), in file order,
 * one entry per (file, name). A file that does not parse declares nothing.
 */
export function declaredDependencies(files: readonly TextFile[]): DeclaredDependency[] {
  const out: DeclaredDependency[] = [];
  for (const file of files) {
    const base = file.path.split('/').pop()!.toLowerCase();
    let requirements: string[];
    try {
      requirements =
        base === 'pyproject.toml'
          ? fromPyproject(file.text)
          : base === 'pipfile'
            ? fromPipfile(file.text)
            : base === 'setup.cfg'
              ? fromSetupCfg(file.text)
              : base === 'setup.py'
                ? fromSetupPy(file.text)
                : /^environment\.ya?ml$/.test(base)
                  ? fromEnvironmentYml(file.text)
                  : DECLARING_FILE.test(file.path)
                    ? fromRequirementsTxt(file.text)
                    : [];
    } catch {
      requirements = [];
    }
    const seen = new Set<string>();
    for (const requirement of requirements) {
      const name = distributionOf(requirement);
      if (!name || name === 'python' || seen.has(name)) continue;
      seen.add(name);
      out.push({ name, file: file.path, requirement: requirement.trim() });
    }
  }
  return out;
}

/** The distribution a PEP 508 requirement names (`pandas[perf]>=2; python_version>"3.8"` → `pandas`). */
export function distributionOf(requirement: string): string | null {
  const egg = /#egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  if (egg) return normalizeDistribution(egg[1]!);
  const name = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return name ? normalizeDistribution(name[1]!) : null;
}

function fromRequirementsTxt(text: string): string[] {
  const out: string[] = [];
  // A trailing backslash continues the line.
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    // Options (-r other.txt, --index-url …, -e .) name no distribution, except an editable VCS egg.
    if (line.startsWith('-')) {
      if (/^(-e|--editable)\s/.test(line) && line.includes('#egg=')) out.push(line.replace(/^(-e|--editable)\s+/, ''));
      continue;
    }
    // A local path or bare URL (./pkg, https://…whl) names no distribution we can tell.
    if (/^[./\\]|^[a-z+]+:\/\//i.test(line) && !line.includes('#egg=')) continue;
    out.push(line);
  }
  return out;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function table(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function fromPyproject(text: string): string[] {
  const doc = parseToml(text) as Record<string, unknown>;
  const project = table(doc.project);
  const out = [...strings(project.dependencies)];
  for (const extra of Object.values(table(project['optional-dependencies']))) out.push(...strings(extra));
  // PEP 735 groups; `{include-group = …}` entries are tables and skipped.
  for (const group of Object.values(table(doc['dependency-groups']))) out.push(...strings(group));
  const tool = table(doc.tool);
  const poetry = table(tool.poetry);
  const poetryTables = [poetry.dependencies, poetry['dev-dependencies'], ...Object.values(table(poetry.group)).map((g) => table(g).dependencies)];
  for (const deps of poetryTables) out.push(...Object.keys(table(deps)));
  for (const group of Object.values(table(table(tool.pdm)['dev-dependencies']))) out.push(...strings(group));
  out.push(...strings(table(tool.uv)['dev-dependencies']));
  return out;
}

function fromPipfile(text: string): string[] {
  const doc = parseToml(text) as Record<string, unknown>;
  return [...Object.keys(table(doc.packages)), ...Object.keys(table(doc['dev-packages']))];
}

/** `install_requires`, `tests_require` and every extra of `[options.extras_require]`. */
function fromSetupCfg(text: string): string[] {
  const out: string[] = [];
  let section = '';
  let collecting = false;
  for (const raw of text.split(/\r?\n/)) {
    // configparser has no inline comments, but a ` #` is never part of a requirement.
    const line = raw.replace(/\s#.*$/, '');
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      collecting = false;
      continue;
    }
    if (/^\s*[#;]/.test(line) || !line.trim()) continue;
    const continued = /^\s/.test(line);
    if (continued && collecting) {
      out.push(line.trim());
      continue;
    }
    const entry = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!entry) {
      collecting = false;
      continue;
    }
    const key = entry[1]!.trim().toLowerCase();
    collecting =
      (section === 'options' && (key === 'install_requires' || key === 'tests_require' || key === 'setup_requires')) ||
      section === 'options.extras_require';
    if (collecting && entry[2]!.trim()) out.push(...entry[2]!.split(/,(?![^\[]*\])/).map((s) => s.trim()).filter(Boolean));
  }
  return out.filter((r) => !r.startsWith('file:'));
}

/** String literals of `install_requires=[…]` / `tests_require` / `extras_require` in a setup.py (read, never run). */
function fromSetupPy(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:install_requires|tests_require)\s*=\s*\[([^\]]*)\]/g)) {
    for (const s of m[1]!.matchAll(/(["'])([^"'\n]+)\1/g)) out.push(s[2]!);
  }
  return out;
}

/** Conda names that are not the PyPI name of the same thing. */
const CONDA_TO_PYPI: Readonly<Record<string, string>> = {
  pytorch: 'torch',
  'py-opencv': 'opencv-python',
  'pytorch-lightning': 'pytorch-lightning',
  'tensorflow-gpu': 'tensorflow',
};

function fromEnvironmentYml(text: string): string[] {
  const doc = table(parseYaml(text));
  const out: string[] = [];
  for (const dep of Array.isArray(doc.dependencies) ? doc.dependencies : []) {
    if (typeof dep === 'string') {
      // conda: `channel::name=1.2`, `name>=1.2`, `name 1.2`
      const spec = dep.replace(/^[^:\s]+::/, '');
      const name = distributionOf(spec.split(/[=<>!~\s]/)[0]!);
      if (name && name !== 'pip') out.push(spec.replace(/^[^=<>!~\s]+/, CONDA_TO_PYPI[name] ?? name).replace(/^([^=<>!~\s]+)=(?!=)/, '$1=='));
    } else out.push(...strings(table(dep).pip));
  }
  return out;
}

/**
 * Top-level import names whose distribution is named otherwise. Only the common
 * ones: any other module is looked for under its own name (normalized).
 */
const DISTRIBUTIONS_OF_MODULE: Readonly<Record<string, readonly string[]>> = {
  sklearn: ['scikit-learn'],
  skimage: ['scikit-image'],
  yaml: ['pyyaml'],
  cv2: ['opencv-python', 'opencv-python-headless', 'opencv-contrib-python', 'opencv-contrib-python-headless'],
  PIL: ['pillow'],
  bs4: ['beautifulsoup4'],
  dotenv: ['python-dotenv'],
  dateutil: ['python-dateutil'],
  jose: ['python-jose'],
  jwt: ['pyjwt'],
  multipart: ['python-multipart'],
  docx: ['python-docx'],
  pptx: ['python-pptx'],
  attr: ['attrs'],
  google: ['protobuf', 'google-cloud-storage', 'google-api-python-client'],
  Crypto: ['pycryptodome'],
  serial: ['pyserial'],
  zmq: ['pyzmq'],
  fitz: ['pymupdf'],
  git: ['gitpython'],
  umap: ['umap-learn'],
  faiss: ['faiss-cpu', 'faiss-gpu'],
  psycopg2: ['psycopg2', 'psycopg2-binary'],
  MySQLdb: ['mysqlclient'],
  OpenSSL: ['pyopenssl'],
  pkg_resources: ['setuptools'],
  telegram: ['python-telegram-bot'],
  magic: ['python-magic'],
  Levenshtein: ['python-levenshtein', 'levenshtein'],
  sentence_transformers: ['sentence-transformers'],
  lightning: ['lightning', 'pytorch-lightning'],
  pytorch_lightning: ['pytorch-lightning', 'lightning'],
  tensorflow: ['tensorflow', 'tensorflow-cpu', 'tensorflow-gpu'],
  great_expectations: ['great-expectations'],
  ruamel: ['ruamel-yaml'],
};

/** The distributions that may provide a top-level import (`sklearn.metrics` → scikit-learn). */
export function distributionsOfModule(module: string): readonly string[] {
  const top = module.split('.')[0]!;
  return DISTRIBUTIONS_OF_MODULE[top] ?? [normalizeDistribution(top)];
}

/** The declaration that provides `module`, if the student declared it. */
export function declarationOf(module: string, declared: readonly DeclaredDependency[]): DeclaredDependency | undefined {
  const names = new Set(distributionsOfModule(module));
  return declared.find((d) => names.has(d.name));
}
