export { createWebRunner, type WebProviderOptions } from './web-provider.ts';
export { selectValue } from './select.ts';
