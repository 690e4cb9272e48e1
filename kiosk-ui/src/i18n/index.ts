import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { zhCN, type MessageKey } from './zh-CN';
import { en } from './en';

export type Lang = 'zh-CN' | 'en';
export type { MessageKey };

const catalogues: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export function translate(lang: Lang, key: MessageKey): string {
  return catalogues[lang][key];
}

export interface UiPrefs {
  lang: Lang;
  elder: boolean;
}

export const PrefsContext = createContext<UiPrefs>({ lang: 'zh-CN', elder: false });

export function useT(): (key: MessageKey) => string {
  const { lang } = useContext(PrefsContext);
  return (key) => translate(lang, key);
}
