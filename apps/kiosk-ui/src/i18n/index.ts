import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { zhCN, type MessageKey } from './zh-CN';
import { en } from './en';

export type Lang = 'zh-CN' | 'en';
export type { MessageKey };

const catalogues: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type Params = Record<string, string | number>;

function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

/**
 * Text for a key with `{name}` parameters filled in. Keys from the agent fall back to a generic.
 * Plurals: with `n` equal to 1, a `<key>.one` entry wins ("1 record", not "1 records").
 */
export function translate(lang: Lang, key: MessageKey | string, params?: Params): string {
  const cat = catalogues[lang];
  const one = `${key}.one`;
  const text = params?.['n'] === 1 && isMessageKey(one) ? cat[one] : isMessageKey(key) ? cat[key] : cat['result.generic'];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export interface UiPrefs {
  lang: Lang;
  elder: boolean;
  voice: boolean;
}

export const PrefsContext = createContext<UiPrefs>({ lang: 'zh-CN', elder: false, voice: true });

export type T = (key: MessageKey | string, params?: Params) => string;

export function useT(): T {
  const { lang } = useContext(PrefsContext);
  return (key, params) => translate(lang, key, params);
}

export function usePrefs(): UiPrefs {
  return useContext(PrefsContext);
}
