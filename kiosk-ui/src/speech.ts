import type { SessionView } from './api/session';
import type { T } from './i18n';

/** What voice guidance says on each screen (elder mode): the screen's main instruction. */
export function speechFor(view: SessionView, t: T): string {
  switch (view.screen) {
    case 'attract':
      return t('attract.touch');
    case 'home':
      return t('home.prompt');
    case 'identity':
      return t(`identity.${view.step ?? 'waitCard'}`, { hotline: view.contact.hotline });
    case 'face':
      return view.step === 'consent' ? `${t('face.consent')}。${t('face.consent.body')}` : t(`face.${view.step === 'preview' ? 'preview' : (view.step ?? 'consent')}`);
    case 'service':
      return t('soon.title');
    case 'printing':
      return t('printing.title');
    case 'result':
      return view.result ? t(view.result.titleKey, view.result.params) : t('result.generic');
    case 'rating':
      return t('rating.title');
    case 'goodbye':
      return t('goodbye.take');
    case 'outOfService':
      return `${t('oos.title')}。${t('oos.hotline', { hotline: view.contact.hotline })}`;
  }
}
