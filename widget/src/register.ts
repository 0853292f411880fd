import { SaysoWidgetElement } from './element.js';

/**
 * Defines `<sayso-widget>` (or another tag name). Safe to call more than once: a name already
 * defined is left as it is.
 *
 * @example
 * import { registerWidget } from './sayso-widget.mjs';
 * registerWidget();
 * document.body.insertAdjacentHTML('beforeend', '<sayso-widget server="https://sayso.example.com" key="pk_..."></sayso-widget>');
 */
export function registerWidget(tagName = 'sayso-widget'): typeof SaysoWidgetElement {
  const existing = customElements.get(tagName);
  if (existing) return existing as typeof SaysoWidgetElement;
  // A subclass per name: one constructor cannot be defined under two names.
  const Element = tagName === 'sayso-widget' ? SaysoWidgetElement : class extends SaysoWidgetElement {};
  customElements.define(tagName, Element);
  return Element;
}
