import type { Locale } from '../core/text.ts';

/**
 * `rubrica pack new NAME`: the files of a new pack that validates as it is, so a course
 * writer starts from something that works and edits it: `pack.yaml`, one week with a
 * criterion of the two commonest kinds (files present, a command that passes), and a
 * model solution that earns them. Comments say what each key does.
 */
export const PACK_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** The course image Rubrica ships (runner/): a new pack's, and an imported Classroom assignment's. */
export const DEFAULT_RUNNER_IMAGE = 'rubrica/runner-mlops:1';

export function scaffoldPack(name: string, options: { locale: Locale; image: string }): Record<string, string> {
  return {
    'pack.yaml': `# The course's pack: what every week shares. \`rubrica pack validate ${name}\` checks it.
title: { es: "${name} — título del curso", en: "${name} — course title" }
description:
  es: Qué aprende quien hace este curso, en una línea.
  en: What the course teaches, in one line.
locale: ${options.locale}                      # the reports' default language (es or en)
runner:
  image: ${options.image}   # every check runs in this image (RUBRICA_RUNNER_IMAGE overrides it)
  limits:
    checkTimeoutSeconds: 60     # any sandbox limit; the rest keep their defaults (README, The sandbox)
scale: 100                      # each week's criteria add up to this
passMark: 0.6                   # share of the scale that passes
# final:                        # optional: how the final grade is computed (README, Final grades)
#   scale: { min: 0, max: 10 }
#   passGrade: 6
#   components:
#     - { id: trabajos, title: { es: Trabajos, en: Assignments }, weight: 1, from: [{ week: 1 }] }
`,
    'week-01.yaml': `# One file per week, week-01.yaml, week-02.yaml… numbered from 1 without gaps.
week: 1
title: { es: Primera entrega, en: First hand-in }
summary:
  es: Lo que pide esta semana, en una línea que el estudiante lee arriba de los resultados.
  en: What this week asks for, in one line the student reads above the results.
criteria:
  - id: estructura              # stable: names the criterion in the gradebook and in TA commands
    title: { es: Estructura del proyecto, en: Project structure }
    points: 40
    check:
      kind: files               # rubrica pack validate lists every kind; README, Check kinds
      pathIsAssignment: true    # the location is part of the assignment
      require:
        - { glob: src, type: dir }
        - { glob: tests, type: dir }
    feedback:                   # for a student who misses it: what to do, not only what is wrong
      es: "Crea las carpetas con \`mkdir src tests\` y pon un archivo en cada una (git no guarda carpetas vacías)."
      en: "Create the folders with \`mkdir src tests\` and put a file in each (git does not store empty folders)."
  - id: pruebas-pasan
    title: { es: Las pruebas pasan, en: The tests pass }
    points: 60
    check:
      kind: unittest            # runs in the sandbox (no network, the limits of pack.yaml): tests run, failed, which
      start: tests
      timeout: 60
    feedback:
      es: "Corre \`python -m unittest discover -s tests -t . -v\` en tu máquina y arregla lo que falle."
      en: "Run \`python -m unittest discover -s tests -t . -v\` on your machine and fix what fails."
    # reading: { title: "Módulo 2: pruebas unitarias", url: "https://docs.python.org/3/library/unittest.html" }
    # judgedFromArtifacts: { tool: Docker }  # when the runner image lacks the tool: the files are judged, and the result says so
    # manual: true              # scored by a TA later; its points stay pending until then
    # visibility: after-deadline  # recorded now, shown to students after the deadline
`,
    // The model solution: `rubrica example NAME DIR` writes it as a git checkout (a path
    // segment `dot-x` becomes `.x`), and it must earn every point.
    'example/README.md': `# ${name}: solución modelo\n\nLo que un estudiante entregaría para la nota máxima.\n`,
    'example/src/__init__.py': '',
    'example/src/suma.py': 'def suma(a: int, b: int) -> int:\n    return a + b\n',
    'example/tests/__init__.py': '',
    'example/tests/test_suma.py': 'import unittest\n\nfrom src.suma import suma\n\n\nclass TestSuma(unittest.TestCase):\n    def test_suma(self):\n        self.assertEqual(suma(2, 3), 5)\n',
  };
}
