import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';

/** The software version, from the root package.json (one package, one version). */
export const agentVersion: string = (
  JSON.parse(readFileSync(resolve(projectRoot, 'package.json'), 'utf8')) as { version: string }
).version;
