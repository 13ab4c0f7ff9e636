/** What an Order asks of the separately deployed CreditCardValidator, and what it answers. */
import type { CreditCard, Currency } from './messages';

export interface CreditCardValidationRequested {
  /** Same for every redelivery of one request, so the validator can answer a redelivery as it did before. */
  idempotencyKey: string;
  orderId: string;
  customerId: string;
  amount: number;
  currency: Currency;
  card: CreditCard;
}

export type CreditCardValidationResult =
  | { outcome: 'CreditCardValidated'; orderId: string; validatedAt: string }
  | { outcome: 'CreditCardValidationFailed'; orderId: string; reason: string; validatedAt: string };
