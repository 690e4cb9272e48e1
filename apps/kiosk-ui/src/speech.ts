import { photoSpeech } from './flows/PhotoFlow';
import type { SessionView } from './api/session';
import { goodbyeTakeKey } from './screens/goodbye-text';
import type { T } from './i18n';

type Texts = { zh: string; en: string };

/** The flow's own citizen text (an upstream or engine message), in the UI language. */
function message(view: SessionView, lang: string): string {
  const m = view.flow?.data['message'];
  if (m && typeof m === 'object' && !Array.isArray(m)) {
    const texts = m as unknown as Texts;
    const s = lang === 'en' ? texts.en : texts.zh;
    if (typeof s === 'string') return s;
  }
  return '';
}

const join = (...parts: string[]): string => parts.filter((p) => p.trim() !== '').join('。');

/** Gas top-up: each step's instruction (docs of the steps: packages/contracts/src/gas-views.ts). */
function gasSpeech(view: SessionView, t: T, lang: string): string {
  const d = view.flow?.data ?? {};
  switch (view.flow?.step) {
    case 'start':
      return join(t('gas.start.title'), t('gas.start.cardHint'));
    case 'lookingUp':
      return t('gas.lookingUp');
    case 'waitCard':
      return join(t('gas.waitCard.title'), t('gas.waitCard.body'));
    case 'account':
      return t('gas.account.title');
    case 'confirm':
      return t('gas.confirm.title');
    case 'creating':
      return t('gas.creating');
    case 'paying':
      return join(t('gas.pay.title'), t('gas.pay.scan'));
    case 'crediting':
      return d['meterType'] === 'ic-card'
        ? join(t('gas.crediting.title'), t('gas.crediting.keepCard'))
        : t('gas.crediting.title');
    case 'printing':
      return join(
        t(d['kind'] === 'pending' ? 'gas.printing.pending' : 'gas.printing.credited'),
        t(d['kind'] === 'pending' ? 'gas.printing.slip' : 'gas.printing.receipt'),
      );
    case 'pendingEntry':
      return join(t('gas.pending.title'), t('gas.pending.hint'));
    case 'finishing':
      return join(t('gas.pending.title'), t('gas.finishing.card'));
    case 'error':
      return join(t('gas.error.title'), message(view, lang));
    default:
      return t('service.gas');
  }
}

/** Property, tax and social insurance (steps: packages/contracts/src/record-views.ts). */
function recordSpeech(view: SessionView, t: T, lang: string): string {
  const id = view.service?.id ?? 'property';
  switch (view.flow?.step) {
    case 'loading':
      return t('flows.loading');
    case 'registering':
      return t('flows.registering');
    case 'error':
      return join(t('flows.error.title'), message(view, lang));
    case 'noRecords':
      return join(t(`flows.noRecords.title.${id}`), t('flows.noRecords.nothingPrinted'));
    case 'confirm':
      return join(t('flows.confirm.title'), t('flows.confirm.hint'));
    case 'chooseYears':
      return t('flows.tax.chooseYears');
    case 'chooseKind':
      return t('flows.social.chooseKind');
    case 'years':
      return t('flows.social.chooseYear');
    case 'list':
      return id === 'social'
        ? t('flows.social.chooseSlip')
        : join(t(id === 'tax' ? 'flows.tax.title' : 'flows.property.title'), t('speech.list'));
    default:
      return t(`service.${id}`);
  }
}

/** 电子证照打印 (steps: device-agent/src/flows/licences.ts); shared steps speak as the record services. */
function licenceSpeech(view: SessionView, t: T, lang: string): string {
  switch (view.flow?.step) {
    case 'consent':
      return t('licence.speech.consent');
    case 'purpose':
      return t('licence.purpose.title');
    case 'list':
      return t('licence.list.title');
    case 'preview':
      return join(t('licence.preview.title'), t('licence.preview.hint'));
    case 'noLicences':
      return join(t('licence.none.title'), t('licence.none.body'));
    default:
      return recordSpeech(view, t, lang);
  }
}

function serviceSpeech(view: SessionView, t: T, lang: string): string {
  if (!view.flow || view.flow.step === 'comingSoon')
    return join(t(`service.${view.service?.id ?? 'property'}`), t('soon.title'), t('soon.body'));
  if (view.service?.id === 'licence') return licenceSpeech(view, t, lang);
  if (view.service?.id === 'photo') return photoSpeech(view.flow.step, view.flow.data, t);
  return view.service?.id === 'gas' ? gasSpeech(view, t, lang) : recordSpeech(view, t, lang);
}

/**
 * What voice guidance says on each screen and step (elder mode): the instruction the screen
 * shows, in the UI language. Never empty: a step this table does not know says the service name.
 */
export function speechFor(view: SessionView, t: T, lang: string = view.prefs.lang): string {
  switch (view.screen) {
    case 'attract':
      return t('attract.touch');
    case 'home':
      return t('home.prompt');
    case 'identity': {
      const step = view.step ?? 'waitCard';
      // The e-ID steps (issue 17) have their own keys; the offer is spoken after the card prompt.
      if (step === 'eidChecking') return t('identity.eid.checking');
      if (step === 'eidRefused') {
        const r = view.eid?.refused ?? 'unavailable';
        return join(t(`identity.eid.refused.${r}`), t(`identity.eid.refused.${r}.hint`));
      }
      if (step === 'eidCardOnly') return join(t('identity.eid.cardOnly'), t('identity.eid.cardOnly.hint'));
      if (step === 'waitCard' && view.eid?.offered) return join(t('identity.waitCard'), t('identity.eid.or'));
      const hint = ['waitCard', 'unreadable', 'readerDown', 'expired', 'confirmed'].includes(step)
        ? t(`identity.${step}.hint`, { hotline: view.contact.hotline, validTo: view.identity?.validTo ?? '' })
        : '';
      return join(t(`identity.${step}`, { hotline: view.contact.hotline }), hint);
    }
    case 'face':
      return view.step === 'consent'
        ? join(t('face.consent'), t('face.consent.body'))
        : t(`face.${view.step === 'preview' ? 'preview' : (view.step ?? 'consent')}`);
    case 'service':
      return serviceSpeech(view, t, lang);
    case 'printing':
      return join(t('printing.title'), t('printing.hint'));
    case 'result':
      return view.result ? t(view.result.titleKey, view.result.params) : t('result.generic');
    case 'rating':
      return t('rating.title');
    case 'goodbye':
      return t(goodbyeTakeKey(view));
    case 'outOfService':
      return join(t('oos.title'), t('oos.hotline', { hotline: view.contact.hotline }));
  }
}
