/**
 * Issue 19 (low list): English shows no untranslated upstream words ("至", "第9档", 个人所得税 …)
 * and counts of one are singular ("1 property", not "1 properties").
 */
import { describe, expect, it } from 'vitest';

// The UI has its own tsconfig (Bundler resolution): loaded by URL so the Node project's type check
// does not pull kiosk-ui sources in; the shapes used here are declared below.
type Lang = 'zh-CN' | 'en';
const ui = (file: string): string => new URL(`../../apps/kiosk-ui/src/i18n/${file}`, import.meta.url).href;
const { translate } = (await import(ui('index.ts'))) as {
  translate(lang: Lang, key: string, params?: Record<string, string | number>): string;
};
const { en } = (await import(ui('en.ts'))) as { en: Record<string, string> };
const { upstreamText } = (await import(ui('upstream.ts'))) as { upstreamText(text: string, lang: Lang): string };

const cjk = /[\u3400-\u9fff]/;

describe('upstream words in English', () => {
  it('periods, grades, tax and insurance types, usages and statuses are translated', () => {
    const samples = [
      '2025-01-01 至 2025-01-31',
      '第9档 600元/年',
      '个人所得税',
      '工资薪金所得',
      '契税',
      '城乡居民基本养老保险',
      '职工基本医疗保险',
      '住宅',
      '国有建设用地使用权/房屋所有权',
      '按份共有',
      '抵押',
      '个人缴费',
      '2019-05-01 至 2049-04-30',
      '(2024)鄂1202执123号，至 2027-03-01',
    ];
    for (const s of samples) {
      const out = upstreamText(s, 'en');
      if (s.startsWith('(2024)'))
        expect(out).toBe('(2024)鄂1202执123号, until 2027-03-01'); // a document number stays as issued
      else expect(out, s).not.toMatch(cjk);
    }
    expect(upstreamText('2025-01-01 至 2025-01-31', 'en')).toBe('2025-01-01 to 2025-01-31');
    expect(upstreamText('第9档 600元/年', 'en')).toBe('grade 9 ¥600/year');
  });

  it('Chinese stays as sent; names and addresses are not touched', () => {
    expect(upstreamText('2025-01-01 至 2025-01-31', 'zh-CN')).toBe('2025-01-01 至 2025-01-31');
    expect(upstreamText('张三', 'en')).toBe('张三');
  });
});

describe('plurals', () => {
  it('a count of one is singular in English, every other count plural', () => {
    expect(translate('en', 'flows.property.count', { n: 1, registry: 'R' })).toBe('1 property (R)');
    expect(translate('en', 'flows.property.count', { n: 2, registry: 'R' })).toBe('2 properties (R)');
    expect(translate('en', 'flows.print', { n: 1 })).toBe('Print slip (1 record)');
    expect(translate('en', 'flows.social.yearSummary', { n: 1, total: '¥1.00' })).toBe('1 payment, total ¥1.00');
    expect(translate('zh-CN', 'flows.print', { n: 1 })).toBe('打印凭证（1 条）');
  });

  it('no English text with {n} says "1 …s" when n is 1', () => {
    for (const [key, text] of Object.entries(en)) {
      if (!text.includes('{n}') || key.endsWith('.one')) continue;
      const one = translate('en', key, { n: 1 });
      expect(one, key).not.toMatch(/\b1 (records|properties|payments|tries)\b/);
    }
  });
});
