import { checkOrder, InvalidOrderError } from '../src/clients/order-client';
import * as orderInput from '../src/contract/order-input';

const input = {
  orderId: ' once-1 ',
  customerId: 'c-7',
  amount: 120,
  currency: 'eur',
  card: { number: '4242 4242 4242 4242', expiry: '12/30', holder: 'Ada' },
  menus: [{ menuId: 'A', catererId: 'cat-a' }],
};

describe('an order checked once on the client side', () => {
  afterEach(() => jest.restoreAllMocks());

  test('when a checked order is handed on (CLI to placeOrder to submitOrder), then it is not parsed again', () => {
    const parse = jest.spyOn(orderInput, 'checkOrderSubmitted');
    const order = checkOrder(input);
    expect(order).toMatchObject({ orderId: 'once-1', currency: 'EUR' });
    expect(checkOrder(order)).toBe(order);
    expect(checkOrder(order)).toBe(order);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  test('when a checked order is changed afterwards, then the change does not take (it is frozen)', () => {
    const order = checkOrder(input);
    expect(() => {
      (order.card as { number: string }).number = 'not a card';
    }).toThrow(TypeError);
    expect(() => order.menus!.push({ menuId: 'B', catererId: 'cat-b' })).toThrow(TypeError);
  });

  test('when an unchecked input is given, then it is checked, naming every bad field', () => {
    expect(() => checkOrder({ ...input, amount: -1, currency: 'XXX' })).toThrow(InvalidOrderError);
    expect(() => checkOrder({ ...input, amount: -1, currency: 'XXX' })).toThrow(/amount .*; currency/);
  });
});
