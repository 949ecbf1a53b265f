export {
  BUILTIN_ARGS,
  findPlaceholders,
  renderTemplate,
  type Placeholder,
  type RenderResult,
} from './templating.ts';
export {
  MAX_CONDITION_LENGTH,
  checkCondition,
  evaluateCondition,
  type ConditionCheck,
  type ConditionValue,
  type ResultShape,
} from './conditions.ts';
export { checkPromqlSyntax, type PromqlSyntaxError } from './promql-syntax.ts';
