/**
 * The kiosk UI's text catalogues, for Node tests. Loaded by path at run time: the UI is built
 * with its own tsconfig (bundler resolution), which the Node tsconfig cannot follow.
 */
import { join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';

export type Catalogue = Record<string, string>;

export async function loadCatalogues(): Promise<{ 'zh-CN': Catalogue; en: Catalogue }> {
  const dir = join(projectRoot, 'apps/kiosk-ui/src/i18n');
  const zh = (await import(join(dir, 'zh-CN.ts'))) as { zhCN: Catalogue };
  const en = (await import(join(dir, 'en.ts'))) as { en: Catalogue };
  return { 'zh-CN': zh.zhCN, en: en.en };
}

/** As apps/kiosk-ui/src/i18n/index.ts translate(): `{name}` filled from params, unknown ones left. */
export function fill(text: string, params: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
