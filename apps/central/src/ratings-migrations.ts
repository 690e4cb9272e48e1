import type { Migration } from '@kiosk/platform';

/**
 * 好差评 at central: every rating a kiosk reports (event `rating.submitted`) and a follow-up item
 * (差评整改) per bad rating. Plain portable SQL (no SQLite-only types or functions), so the
 * PostgreSQL store can apply the same statements. Times are unix ms like the rest of central.
 */
export const ratingsMigrations: Migration[] = [
  {
    version: 3,
    name: 'ratings (好差评) and follow-ups (差评整改)',
    sql: `
      CREATE TABLE ratings (
        kiosk_id VARCHAR(64) NOT NULL,
        rating_id VARCHAR(100) NOT NULL,
        site VARCHAR(200) NOT NULL,
        service VARCHAR(32) NOT NULL,
        item_code VARCHAR(64) NOT NULL,
        item_name VARCHAR(100) NOT NULL,
        department VARCHAR(100) NOT NULL,
        level VARCHAR(32) NOT NULL,
        score INTEGER NOT NULL,
        reasons VARCHAR(400) NOT NULL,
        rated_at BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (kiosk_id, rating_id)
      );
      CREATE INDEX ratings_rated_at ON ratings (rated_at);
      CREATE INDEX ratings_site_service ON ratings (site, service, rated_at);

      CREATE TABLE rating_followups (
        id VARCHAR(120) PRIMARY KEY,
        kiosk_id VARCHAR(64) NOT NULL,
        rating_id VARCHAR(100) NOT NULL,
        site VARCHAR(200) NOT NULL,
        service VARCHAR(32) NOT NULL,
        item_name VARCHAR(100) NOT NULL,
        department VARCHAR(100) NOT NULL,
        level VARCHAR(32) NOT NULL,
        reasons VARCHAR(400) NOT NULL,
        opened_at BIGINT NOT NULL,
        handled_at BIGINT,
        handled_by VARCHAR(64),
        note VARCHAR(500),
        UNIQUE (kiosk_id, rating_id)
      );
      CREATE INDEX rating_followups_open ON rating_followups (handled_at, opened_at);
    `,
  },
];
