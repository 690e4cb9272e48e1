import { useT, type MessageKey } from '../i18n';
import { Icon } from '../components/Icon';

export type ServiceId = 'property' | 'gas' | 'tax' | 'social';

interface Tile {
  id: ServiceId;
  title: MessageKey;
  desc: MessageKey;
}

export const tiles: readonly Tile[] = [
  { id: 'property', title: 'service.property', desc: 'service.property.desc' },
  { id: 'gas', title: 'service.gas', desc: 'service.gas.desc' },
  { id: 'tax', title: 'service.tax', desc: 'service.tax.desc' },
  { id: 'social', title: 'service.social', desc: 'service.social.desc' },
];

export function Home({ onOpen }: { onOpen(id: ServiceId): void }) {
  const t = useT();
  return (
    <main class="home">
      <h2 class="prompt">{t('home.prompt')}</h2>
      <div class="tiles">
        {tiles.map((tile) => (
          <button type="button" key={tile.id} class="tile" data-testid={`tile-${tile.id}`} onClick={() => onOpen(tile.id)}>
            <span class="tile-icon">
              <Icon name={tile.id} size="1.6em" />
            </span>
            <span class="tile-title">{t(tile.title)}</span>
            <span class="tile-desc">{t(tile.desc)}</span>
          </button>
        ))}
      </div>
    </main>
  );
}
