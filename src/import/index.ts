export {
  importObjects,
  type ImportInput,
  type ImportOptions,
  type ImportResult,
  type ImportedObject,
} from './convert.ts';
export type { ItemOutcome, ObjectOutcome, ObjectReport, ReportItem, SourceRef } from './report.ts';
export { parseExpr, type ExprNode } from './expr-parse.ts';
export { exprToCel, type CelMode } from './expr-to-cel.ts';
export { evaluateArgo, argoPhase } from './expr-eval.ts';
export { queryShape, type QueryShape } from './query-shape.ts';
