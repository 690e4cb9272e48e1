import type { Lang } from './index';

/**
 * Upstream systems answer in Chinese (tax types, usages, periods "2025-01-01 至 2025-01-31",
 * grades "第9档 600元/年"). In English the screen must not show half-Chinese lines, so the words
 * and patterns the government back ends use are translated here; anything unknown stays as sent
 * (a name or an address is not translated). Chinese passes through unchanged.
 */
const words: readonly [string, string][] = [
  // Property registry
  ['国有建设用地使用权/房屋所有权', 'State-owned construction land use right / house ownership'],
  ['宅基地使用权/房屋所有权', 'Homestead use right / house ownership'],
  ['单独所有', 'Sole ownership'],
  ['共同共有', 'Joint ownership'],
  ['按份共有', 'Ownership in shares'],
  ['住宅', 'Residential'],
  ['车位', 'Parking space'],
  ['商业', 'Commercial'],
  ['办公', 'Office'],
  ['抵押', 'Mortgage'],
  ['查封', 'Seizure'],
  ['异议', 'Objection'],
  ['预告', 'Advance notice'],
  ['无', 'None'],
  // Tax bureau
  ['个人所得税', 'Individual income tax'],
  ['工资薪金所得', 'Wages and salaries'],
  ['劳务报酬所得', 'Remuneration for services'],
  ['稿酬所得', 'Author’s remuneration'],
  ['财产转让所得', 'Transfer of property'],
  ['契税', 'Deed tax'],
  // Social insurance
  ['城乡居民基本养老保险', 'Urban and rural residents’ basic pension insurance'],
  ['城乡居民基本医疗保险', 'Urban and rural residents’ basic medical insurance'],
  ['企业职工基本养老保险', 'Employees’ basic pension insurance'],
  ['职工基本医疗保险', 'Employees’ basic medical insurance'],
  ['失业保险', 'Unemployment insurance'],
  ['个人缴费', 'Individual contribution'],
  ['单位缴费', 'Employer contribution'],
];
const exact = new Map(words);

export function upstreamText(text: string, lang: Lang): string {
  if (lang !== 'en' || !text) return text;
  const whole = exact.get(text.trim());
  if (whole) return whole;
  let s = text;
  // Longest words first, so 城乡居民基本养老保险 is not eaten by a shorter entry.
  for (const [zh, en] of [...words].sort((a, b) => b[0].length - a[0].length)) if (zh.length > 1) s = s.split(zh).join(en);
  return s
    .replace(/第\s*(\d+)\s*档/g, 'grade $1')
    .replace(/(\d[\d,.]*)\s*元\s*\/\s*年/g, '¥$1/year')
    .replace(/(\d[\d,.]*)\s*元/g, '¥$1')
    .replace(/\s*，\s*至\s*/g, ', until ')
    .replace(/\s*至\s*/g, ' to ')
    .replace(/，/g, ', ');
}
