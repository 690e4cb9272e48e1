/**
 * Line icons drawn inline: a kiosk cannot count on an emoji font, and colour is never the only
 * cue (every icon sits next to words).
 */
export type IconName =
  | 'property'
  | 'gas'
  | 'tax'
  | 'social'
  | 'photo'
  | 'language'
  | 'elder'
  | 'card'
  | 'camera'
  | 'printer'
  | 'check'
  | 'alert'
  | 'speaker'
  | 'speakerOff'
  | 'home'
  | 'exit'
  | 'phone'
  | 'person'
  | 'pause'
  | 'prev'
  | 'next'
  | 'verySatisfied'
  | 'satisfied'
  | 'basicallySatisfied'
  | 'dissatisfied'
  | 'veryDissatisfied'
  | 'licence'
  | 'box'
  | 'boxChecked';

const circle = 'M32 6 A26 26 0 1 0 32 58 A26 26 0 1 0 32 6';
const eyes = 'M23 25 V27 M41 25 V27';

const paths: Record<IconName, string> = {
  property: 'M8 30 L32 10 L56 30 M14 26 V54 H50 V26 M26 54 V38 H38 V54',
  gas: 'M32 6 C40 18 50 24 50 38 A18 18 0 0 1 14 38 C14 28 20 22 24 16 C26 24 30 26 32 28 C34 20 32 12 32 6 Z',
  tax: 'M16 6 H42 L50 14 V58 H16 Z M42 6 V14 H50 M24 26 H42 M24 34 H42 M24 42 H36',
  social: 'M32 6 L52 14 V30 C52 44 42 54 32 58 C22 54 12 44 12 30 V14 Z M22 32 L30 40 L44 24',
  language: 'M6 14 H30 M18 8 V14 M10 14 C12 24 20 32 28 34 M26 14 C24 24 16 32 8 36 M34 56 L44 28 L54 56 M38 46 H50',
  elder:
    'M8 34 A10 10 0 1 0 28 34 A10 10 0 1 0 8 34 M36 34 A10 10 0 1 0 56 34 A10 10 0 1 0 36 34 M28 32 C30 28 34 28 36 32 M8 30 L14 14 M56 30 L50 14',
  card: 'M6 14 H58 V50 H6 Z M12 24 H30 M12 32 H26 M12 40 H30 M38 22 H52 V42 H38 Z',
  camera: 'M8 20 H20 L24 13 H40 L44 20 H56 V50 H8 Z M32 25 A10 10 0 1 0 32 45 A10 10 0 1 0 32 25',
  // A portrait in a frame: the certificate photo.
  photo: 'M14 6 H50 V58 H14 Z M32 16 A8 8 0 1 0 32 32 A8 8 0 1 0 32 16 M20 50 C22 40 27 36 32 36 C37 36 42 40 44 50',
  printer: 'M18 26 V8 H46 V26 M18 44 H10 V26 H54 V44 H46 M18 36 H46 V58 H18 Z M24 44 H40 M24 51 H36',
  check: `${circle} M20 32 L28 40 L44 24`,
  alert: 'M32 6 L60 56 H4 Z M32 24 V38 M32 46 V48',
  speaker: 'M8 24 H18 L32 12 V52 L18 40 H8 Z M42 22 C48 28 48 36 42 42 M48 15 C58 25 58 39 48 49',
  speakerOff: 'M8 24 H18 L32 12 V52 L18 40 H8 Z M42 24 L58 40 M58 24 L42 40',
  home: 'M8 32 L32 10 L56 32 M16 26 V54 H28 V40 H36 V54 H48 V26',
  exit: 'M28 10 H10 V54 H28 M22 32 H56 M44 20 L56 32 L44 44',
  phone: 'M18 8 L28 18 L22 26 C26 34 30 38 38 42 L46 36 L56 46 L48 56 C30 54 10 34 8 16 Z',
  person: 'M32 8 A12 12 0 1 0 32 32 A12 12 0 1 0 32 8 M10 58 C12 44 22 38 32 38 C42 38 52 44 54 58',
  pause: `${circle} M26 22 V42 M38 22 V42`,
  prev: 'M40 12 L20 32 L40 52',
  next: 'M24 12 L44 32 L24 52',
  verySatisfied: `${circle} ${eyes} M18 36 C22 50 42 50 46 36 Z`,
  satisfied: `${circle} ${eyes} M20 39 C26 46 38 46 44 39`,
  basicallySatisfied: `${circle} ${eyes} M22 42 H42`,
  dissatisfied: `${circle} ${eyes} M20 46 C26 40 38 40 44 46`,
  veryDissatisfied: `${circle} M20 22 L27 26 M44 22 L37 26 M18 50 C24 38 40 38 46 50`,
  licence: 'M8 12 H56 V52 H8 Z M14 22 H30 V40 H14 Z M36 22 H50 M36 30 H50 M36 38 H46 M14 46 H50',
  box: 'M10 10 H54 V54 H10 Z',
  boxChecked: 'M10 10 H54 V54 H10 Z M20 32 L28 40 L44 24',
};

export function Icon({ name, size = 64 }: { name: IconName; size?: number | string }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 64 64"
      fill="none"
      stroke="currentColor"
      stroke-width="4"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  );
}
