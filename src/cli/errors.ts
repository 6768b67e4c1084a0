import { InfrastructureError } from '../core/errors.ts';
import { t, type Locale, type Text } from '../core/text.ts';

/**
 * An error the CLI explains to whoever runs it (an instructor's dry run, a student's
 * check before pushing): one line, and a hint saying what to do. With --json it is
 * printed as `{"error":{"code","message","hint"}}` on stdout.
 */
export class CliError extends Error {
  readonly code: string;
  readonly text: Text;
  readonly hint: Text | undefined;
  readonly exit: number;
  constructor(code: string, text: Text, options: { hint?: Text; exit?: number } = {}) {
    super(text.en);
    this.code = code;
    this.text = text;
    this.hint = options.hint;
    this.exit = options.exit ?? 2;
  }
}

/** A bad argument: exit status 2. */
export function usage(code: string, text: Text, hint?: Text): CliError {
  return new CliError(code, text, hint ? { hint } : {});
}

export const helpHint = (command?: string): Text => {
  const help = `\`rubrica ${command ? `${command} ` : ''}--help\``;
  return t(`${help} muestra las opciones.`, `${help} lists the options.`);
};

/**
 * A failure of ours as the person at this machine must hear it. The sandbox's own
 * wording speaks to a student whose push the server will grade later ("the course
 * staff can see it"); here the reader is the one who can start Docker or build the image.
 */
export function infrastructureForCli(error: InfrastructureError, imageName: string | undefined): CliError {
  const exit = 3;
  const image = imageName ?? '<image>';
  switch (error.code) {
    case 'docker-unavailable':
      return new CliError(
        error.code,
        t('Docker no responde en esta máquina: el CLI califica dentro de un contenedor.', 'Docker is not answering on this machine: the CLI grades inside a container.'),
        {
          exit,
          hint: t(
            'Inícialo (`sudo systemctl start docker`, o abre Docker Desktop), comprueba que `docker info` responda y vuelve a correr el comando. Con otro motor, define DOCKER_HOST.',
            'Start it (`sudo systemctl start docker`, or open Docker Desktop), check that `docker info` answers, and run the command again. For another engine, set DOCKER_HOST.',
          ),
        },
      );
    case 'runner-image-missing':
      return new CliError(
        error.code,
        t(`Falta la imagen de corrección "${image}" en el Docker de esta máquina.`, `The runner image "${image}" is not in this machine's Docker.`),
        {
          exit,
          hint: t(
            `Constrúyela desde una copia de Rubrica con \`npm run runner:build\` (sin registro de imágenes) o \`docker build -t ${image} runner/\`, o indica otra imagen con RUBRICA_RUNNER_IMAGE=<imagen>.`,
            `Build it from a clone of Rubrica with \`npm run runner:build\` (no image registry needed) or \`docker build -t ${image} runner/\`, or name another image with RUBRICA_RUNNER_IMAGE=<image>.`,
          ),
        },
      );
    case 'runner-image-incomplete':
      return new CliError(error.code, error.text, {
        exit,
        hint: t(
          `La imagen "${image}" no cumple el contrato (sh, git, python3 con pytest): reconstrúyela (\`npm run runner:build\`) o usa otra con RUBRICA_RUNNER_IMAGE.`,
          `The image "${image}" lacks what Rubrica needs (sh, git, python3 with pytest): rebuild it (\`npm run runner:build\`) or use another with RUBRICA_RUNNER_IMAGE.`,
        ),
      });
    default:
      return new CliError(error.code, error.text, {
        exit,
        hint: t('Es un problema del corrector, no del repositorio; vuelve a intentarlo (LOG_LEVEL=debug muestra el detalle).', 'This is a problem of the grader, not of the repository; try again (LOG_LEVEL=debug shows the detail).'),
      });
  }
}

/**
 * The CLI stopped by a signal mid-grading (Ctrl-C is SIGINT), in the reader's language;
 * it exits with the shell's status for that signal.
 */
export function stoppedBySignal(signal: 'SIGINT' | 'SIGTERM', exit: number, containerRemoved: boolean): CliError {
  const how = signal === 'SIGINT' ? ' (Ctrl-C)' : '';
  return new CliError(
    'interrupted',
    t(
      `se detuvo por ${signal}${how}; no se calificó nada${containerRemoved ? ' y se quitó el contenedor de corrección' : ''}.`,
      `stopped by ${signal}${how}; nothing was graded${containerRemoved ? ' and the sandbox container was removed' : ''}.`,
    ),
    { exit },
  );
}

/**
 * How the person typed the CLI: a command suggested to them must work as typed, and
 * `rubrica` is only on the PATH once installed (npm sets npm_command=exec under npx).
 */
export function cliName(env: NodeJS.ProcessEnv): string {
  return env.npm_command === 'exec' ? 'npx rubrica' : 'rubrica';
}

/** A text's suggested commands (`rubrica …` in backticks) as this person would type them. */
export function asTyped(text: string, cli: string): string {
  return cli === 'rubrica' ? text : text.replaceAll('`rubrica ', `\`${cli} `);
}

export function renderCliError(error: CliError, locale: Locale, json: boolean, cli = 'rubrica'): { stdout: string; stderr: string } {
  const message = asTyped(error.text[locale], cli);
  const hint = error.hint ? asTyped(error.hint[locale], cli) : undefined;
  return {
    stdout: json ? `${JSON.stringify({ error: { code: error.code, message, ...(hint ? { hint } : {}) } }, null, 2)}\n` : '',
    // A failure of ours carries its code, for whoever helps the person at this machine.
    stderr: `rubrica: ${message}${error.exit === 3 ? ` (${error.code})` : ''}\n${hint ? `  ${hint}\n` : ''}`,
  };
}
