/** `ApplicationFailure.type` values; workflows and clients branch on these, never on messages. */
export enum ErrorType {
  InvalidOrder = 'InvalidOrder',
  InvalidCardData = 'InvalidCardData',
  ValidatorUnavailable = 'ValidatorUnavailable',
  InvalidMatch = 'InvalidMatch',
}
