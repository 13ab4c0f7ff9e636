/**
 * The contract between clients, workers and the validator: names users type, payload shapes and error types.
 * Imported by workflow code, so it must stay free of Node builtins and I/O.
 */
// The messages themselves (inputs and signals) are described once, by their schemas in messages.ts.
export { supportedCurrencies } from './messages';
export type {
  CancelOrder,
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  CateringMatchInput,
  ConfirmOrder,
  CreditCard,
  Currency,
  CustomerConfirmedMenu,
  MenuOffer,
  MenusOffered,
  OrderSubmitted,
  ResumeValidation,
  ValidationPolicy,
} from './messages';
export * from './names';
export * from './errors';
export * from './order';
export * from './order-state';
export * from './order-definitions';
export * from './credit-card-validation';
export * from './catering-match';
export * from './catering-match-state';
export * from './catering-match-definitions';
export * from './catering-match-checks';
export * from './operations';
