import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import { HEADERS, sandboxForFile } from './fixture.js';

/** Keeps docs/sandbox-api.openapi.yaml and the sandbox's routes from drifting apart. */
const doc = readFileSync(join(projectRoot, 'docs/sandbox-api.openapi.yaml'), 'utf8');

function documentedRoutes(): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  let path: string | undefined;
  let inPaths = false;
  for (const line of doc.split('\n')) {
    if (/^paths:/.test(line)) inPaths = true;
    else if (/^\S/.test(line)) inPaths = false;
    if (!inPaths) continue;
    const p = /^ {2}(\/\S*):\s*$/.exec(line);
    if (p) path = p[1];
    const m = /^ {4}(get|post|delete):\s*$/.exec(line);
    if (m && path) out.push({ method: m[1]!.toUpperCase(), path });
  }
  return out;
}

const t = sandboxForFile();

describe('OpenAPI document', () => {
  it('names every operation the sandbox implements, and nothing else', () => {
    const documented = new Set([...doc.matchAll(/x-operation: (\S+)/g)].map((m) => m[1]));
    const dir = join(projectRoot, 'apps/sandbox/src/routes');
    const implemented = new Set(
      readdirSync(dir).flatMap((f) =>
        [...readFileSync(join(dir, f), 'utf8').matchAll(/operation\(\s*'([^']+)'/g)].map((m) => m[1]),
      ),
    );
    implemented.add('healthz');
    expect([...documented].sort()).toEqual([...implemented].sort());
  });

  it('documents only routes the sandbox serves', async () => {
    const routes = documentedRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const r of routes) {
      const url = t.url + r.path.replace(/\{[^}]+\}/g, 'PLACEHOLDER-0001');
      const res = await fetch(url, {
        method: r.method,
        headers: HEADERS,
        ...(r.method === 'POST' ? { body: '{}' } : {}),
      });
      const text = await res.text();
      expect(text, `${r.method} ${r.path}`).not.toContain('NO_SUCH_ROUTE');
    }
    // The check above would catch a missing route:
    const missing = await fetch(`${t.url}/property/v2/nothing`, { headers: HEADERS });
    expect(await missing.text()).toContain('NO_SUCH_ROUTE');
  });
});
