/**
 * Masking for anything that leaves the sandbox's database (logs, responses, pages). Names and id
 * numbers use the project-wide helper so slips, screens and the sandbox agree on the forms.
 */
export { maskIdNumber, maskName } from '@kiosk/platform';

/** Long account or card numbers in logs: last 4 digits only. */
export function maskNumber(n: string): string {
  if (n.length <= 4) return '*'.repeat(n.length);
  return '*'.repeat(n.length - 4) + n.slice(-4);
}

/** True when a string contains something that looks like a full resident id number. */
export function containsFullIdNumber(text: string): boolean {
  return /(?<![\dX])\d{17}[\dX](?![\dX])/i.test(text);
}
