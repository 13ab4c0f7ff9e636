export { Order } from './order/order.workflow';
export { CateringMatch } from './catering-match/catering-match.workflow';
