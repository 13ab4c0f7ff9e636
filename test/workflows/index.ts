// The test bundle: the real CateringMatch beside a recording stand-in for Order, so ConfirmOrder counts are exact.
export { CateringMatch } from '../../workflows/catering-match/catering-match.workflow';
export { OrderRecorder } from './order-recorder';
