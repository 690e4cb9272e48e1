import { useT, type MessageKey } from '../i18n';

export type ServiceId = 'property' | 'gas' | 'tax' | 'social';

interface Tile {
  id: ServiceId;
  icon: string;
  title: MessageKey;
  desc: MessageKey;
}

export const tiles: readonly Tile[] = [
  { id: 'property', icon: '🏠', title: 'service.property', desc: 'service.property.desc' },
  { id: 'gas', icon: '🔥', title: 'service.gas', desc: 'service.gas.desc' },
  { id: 'tax', icon: '🧾', title: 'service.tax', desc: 'service.tax.desc' },
  { id: 'social', icon: '🛡️', title: 'service.social', desc: 'service.social.desc' },
];

export function Home({ onOpen }: { onOpen(id: ServiceId): void }) {
  const t = useT();
  return (
    <main class="home">
      <h2 class="prompt">{t('home.prompt')}</h2>
      <div class="tiles">
        {tiles.map((tile) => (
          <button type="button" key={tile.id} class="tile" data-testid={`tile-${tile.id}`} onClick={() => onOpen(tile.id)}>
            <span class="tile-icon" aria-hidden="true">
              {tile.icon}
            </span>
            <span class="tile-title">{t(tile.title)}</span>
            <span class="tile-desc">{t(tile.desc)}</span>
          </button>
        ))}
      </div>
    </main>
  );
}
