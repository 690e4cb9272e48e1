/** axe-core in a page under test: the kiosk screens and central's dashboard both check with it. */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  /** The selectors of the nodes it names. */
  targets: string[];
}

/** axe's serious and critical violations on the page as it is now; `enable` switches on rules axe leaves off by default. */
export async function seriousAxeFindings(page: Page, enable: string[] = []): Promise<AxeFinding[]> {
  const has = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  // Evaluated over DevTools, not added as an inline <script>: the kiosk's CSP refuses inline scripts.
  if (!has) await page.evaluate(axe.source);
  const result = await page.evaluate(async (rules) => {
    // axe is injected above; its types live in node_modules, not in the page.
    const a = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            opts: object,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await a.run(document, {
      resultTypes: ['violations'],
      rules: Object.fromEntries(rules.map((id) => [id, { enabled: true }])),
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  }, enable);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
