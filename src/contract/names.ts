/** The names users type and filter by: task queues, workflow types and ids, search attributes. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TaskQueue = {
  orders: 'orders',
  creditCardValidation: 'credit-card-validation',
} as const;

export const WorkflowType = {
  order: 'Order',
  cateringMatch: 'CateringMatch',
} as const;

export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;
export const cateringMatchWorkflowId = (orderId: string): string => `catering-match-${orderId}`;

export const OrderStatusAttribute = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const CustomerIdAttribute = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** CateringMatch's own status; kept apart from OrderStatus so a filter on one never mixes in the other. */
export const MatchStatusAttribute = defineSearchAttributeKey('MatchStatus', SearchAttributeType.KEYWORD);
export const searchAttributeKeys = [OrderStatusAttribute, CustomerIdAttribute, MatchStatusAttribute];
