// Plain JavaScript that any Node runs: Rubrica is TypeScript run by Node's type
// stripping (Node >= 22.18). On an older Node, say so in one line and how to get one,
// instead of Node's own ERR_UNKNOWN_FILE_EXTENSION.
import { existsSync } from 'node:fs';

export const NEEDED = [22, 18];

export function supported(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  return major > NEEDED[0] || (major === NEEDED[0] && minor >= NEEDED[1]);
}

/** Exits with 3 (the machine's setup, not the repository) unless this Node can run Rubrica. */
export function requireSupportedNode(what) {
  if (supported()) return;
  const bin = `/opt/node24/node_modules/node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}/bin`;
  const how = existsSync(`${bin}/node`)
    ? `Node 24 is installed: export PATH=${bin}:$PATH`
    : 'run .ci/run, which installs Node 24 under /opt/node24';
  process.stderr.write(`${what} needs Node.js ${NEEDED.join('.')} or newer, not ${process.versions.node}: ${how}.\n`);
  process.exit(3);
}
