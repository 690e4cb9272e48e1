/**
 * Writes `config/alert-rules.yml` from the shared alert specs (thresholds.ts). Pure: specs in,
 * text out. Strings are written as JSON strings, which YAML reads as double-quoted scalars.
 */
import { alertSpecs, severityLabel, thresholds, type AlertSpec } from './thresholds.js';

const q = (s: string): string => JSON.stringify(s);

export function alertRulesYaml(specs: readonly AlertSpec[] = Object.values(alertSpecs)): string {
  const lines = [
    '# Prometheus alerting rules for the kiosk fleet, on the metrics central exports at /metrics.',
    '# GENERATED from apps/central/src/alerting/thresholds.ts by `npx tsx scripts/generate-alert-rules.ts`:',
    '# edit the thresholds there, not here (a test fails when this file differs from the generator).',
    "# Central's built-in engine raises the same alerts from the same numbers (dashboard, webhook, or",
    '# Alertmanager with "alerting": "alertmanager"). Check with: promtool check rules config/alert-rules.yml',
    '# Labels are kiosk and site only — never anything about a citizen.',
    `# Thresholds: offline after ${thresholds.offlineAfterMissed} missed heartbeats; disk below ${thresholds.diskLowBytes} bytes;`,
    `# outbox above ${thresholds.outboxBacklogEvents} events; essential devices: ${thresholds.essentialDevices.join(', ')}.`,
    'groups:',
    '  - name: kiosk-fleet',
    '    rules:',
  ];
  for (const s of specs) {
    if (s.expr === null) continue;
    lines.push(
      `      - alert: ${s.alert}`,
      `        expr: ${q(s.expr)}`,
      '        labels:',
      `          severity: ${severityLabel(s.severity)}`,
      '        annotations:',
      `          summary: ${q(s.summary)}`,
    );
    if (s.description) lines.push(`          description: ${q(s.description)}`);
    lines.push('');
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}
