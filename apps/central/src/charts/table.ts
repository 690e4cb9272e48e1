/** The daily history table of the charts (history.ts), in portable SQL. */
export const historyTableSql = `CREATE TABLE IF NOT EXISTS kiosk_daily (
  kiosk_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  metric TEXT NOT NULL,
  item TEXT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (kiosk_id, day, metric, item)
)`;
