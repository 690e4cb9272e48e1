/**
 * Line icons drawn inline: a kiosk cannot count on an emoji font, and colour is never the only cue.
 */
export type IconName = 'property' | 'gas' | 'tax' | 'social' | 'language' | 'elder';

const paths: Record<IconName, string> = {
  property: 'M8 30 L32 10 L56 30 M14 26 V54 H50 V26 M26 54 V38 H38 V54',
  gas: 'M32 6 C40 18 50 24 50 38 A18 18 0 0 1 14 38 C14 28 20 22 24 16 C26 24 30 26 32 28 C34 20 32 12 32 6 Z',
  tax: 'M16 6 H42 L50 14 V58 H16 Z M42 6 V14 H50 M24 26 H42 M24 34 H42 M24 42 H36',
  social: 'M32 6 L52 14 V30 C52 44 42 54 32 58 C22 54 12 44 12 30 V14 Z M22 32 L30 40 L44 24',
  language: 'M6 14 H30 M18 8 V14 M10 14 C12 24 20 32 28 34 M26 14 C24 24 16 32 8 36 M34 56 L44 28 L54 56 M38 46 H50',
  elder: 'M8 34 A10 10 0 1 0 28 34 A10 10 0 1 0 8 34 M36 34 A10 10 0 1 0 56 34 A10 10 0 1 0 36 34 M28 32 C30 28 34 28 36 32 M8 30 L14 14 M56 30 L50 14',
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
