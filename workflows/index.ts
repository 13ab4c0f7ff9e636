export * from './order';
export * from './catering-match';
