export * from './common.ts';
export * from './canary.ts';
export * from './analysis-template.ts';
export * from './web-provider.ts';
export * from './approval.ts';
export * from './validate.ts';
export { buildCrds, toStructural, type CustomResourceDefinition } from './crds.ts';
