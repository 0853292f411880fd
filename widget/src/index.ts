/**
 * `<sayso-widget>` as an ES module: call `registerWidget()` once, then use the element.
 *
 * @example
 * import { registerWidget } from 'https://sayso.example.com/sayso-widget.mjs';
 * registerWidget();
 */
export { registerWidget } from './register.js';
export { SaysoWidgetElement } from './element.js';
export type { WidgetConfig, Theme, Position } from './config.js';
export type { Problem, ProblemKind } from './problems.js';
