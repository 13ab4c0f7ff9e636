import { luhnValid } from '../luhn';

/**
 * What a person may see of card data through the codec server: a card number only by its last four digits. Applied
 * to decoded JSON, so it covers order inputs, activity inputs, continued runs and failure messages alike.
 */

const digitsOf = (value: string): string => value.replace(/[\s-]/g, '');

export const maskedNumber = (value: string): string => `•••• ${digitsOf(value).slice(-4)}`;

// 12 to 19 digits, optionally grouped by spaces or dashes: the lengths card numbers come in.
const candidate = /(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d-])/g;

/**
 * Masks card numbers inside free text. A run of digits counts when it passes the Luhn check, so an error message
 * that quotes a card is covered while most long ids and timestamps stay readable.
 */
export function maskCardNumbersInText(text: string): string {
  return text.replace(candidate, (match) => (luhnValid(digitsOf(match)) ? maskedNumber(match) : match));
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A copy of `value` with every card number masked: the `number` of any `card` object whatever it looks like (a
 * mistyped number is still a card number), and any Luhn-valid digit run in any string.
 */
export function maskCardNumbers(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return maskCardNumbersInText(value);
  if (Array.isArray(value)) return value.map((item) => maskCardNumbers(item));
  if (!isRecord(value)) return value;
  const masked: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    masked[k] =
      key === 'card' && k === 'number' && (typeof v === 'string' || typeof v === 'number')
        ? maskedNumber(String(v))
        : maskCardNumbers(v, k);
  }
  return masked;
}
