// `npm start` runs this (through bin/start): the app's server and workers, in this process.
import { requireSupportedNode } from './supported-node.js';

requireSupportedNode('Rubrica');
await import('../src/main.ts');
