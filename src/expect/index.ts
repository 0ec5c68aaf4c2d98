export { parseExpectation, parseNumber, ExpectationSyntaxError, SUMMARY_FIELDS, DEFAULT_APPROX_RTOL } from './parse-expectation.js';
export type { Expectation, ExpectationOp, MetricRef, Tolerance } from './parse-expectation.js';
export { evaluateExpectations, formatExpectationReport, formatValue } from './evaluate-expectations.js';
export type { ExpectationReport, ExpectationResult } from './evaluate-expectations.js';
