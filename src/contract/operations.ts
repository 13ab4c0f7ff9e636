/** What the operations team is told, and the notice that an order is confirmed. */
import type { Currency } from './messages';

export type AlertKind =
  'ValidationStalled' | 'OrderExpired' | 'MatchExpired' | 'NoMenuAgreed' | 'OrderNotFound';

/** What the operations team is told; `alertId` makes raising it idempotent. */
export interface OperationsAlert {
  alertId: string;
  kind: AlertKind;
  orderId: string;
  message: string;
}

/** The side effect that tells the outside world an order is confirmed. */
export interface OrderConfirmedNotice {
  orderId: string;
  menuId: string;
  customerId: string;
  amount: number;
  currency: Currency;
}
