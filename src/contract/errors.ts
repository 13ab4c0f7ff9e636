/** `ApplicationFailure.type` values; workflows and clients branch on these, never on messages. */
export enum ErrorType {
  InvalidOrder = 'InvalidOrder',
  InvalidCardData = 'InvalidCardData',
  ValidatorUnavailable = 'ValidatorUnavailable',
  InvalidMatch = 'InvalidMatch',
  /** A SubmitOrder whose content differs from the order stored under its orderId. */
  OrderConflict = 'OrderConflict',
  /** An update's command that is malformed or names another order: rejected, so it leaves no event in history. */
  InvalidCommand = 'InvalidCommand',
}
