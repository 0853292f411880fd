import { h, render } from 'preact';
import css from './styles.css';
import { OBSERVED_ATTRIBUTES, readConfig, SESSION_ATTRIBUTES, type WidgetConfig } from './config.js';
import { WidgetController } from './controller.js';
import { App } from './ui/app.js';

// One stylesheet object shared by every <sayso-widget> on the page.
let sheet: CSSStyleSheet | undefined;

function attachStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    // Browsers without constructable stylesheets (Safari before 16.4).
    root.appendChild(document.createElement('style')).textContent = css;
  }
}

/**
 * `<sayso-widget>`: the element itself. Attributes are read into a config on every change; the
 * ones that identify the session (server, key, token) start a new controller.
 */
export class SaysoWidgetElement extends HTMLElement {
  static observedAttributes = OBSERVED_ATTRIBUTES;
  readonly #root: ShadowRoot;
  #controller: WidgetController | undefined;
  #config: WidgetConfig | undefined;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    attachStyles(this.#root);
  }

  connectedCallback(): void {
    if (!this.#controller) this.#start();
    this.#render();
  }

  disconnectedCallback(): void {
    // Moving the element fires disconnect then connect: stop only if it stays out.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#controller?.stop();
      this.#controller = undefined;
      render(null, this.#root);
    });
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value || !this.isConnected) return;
    if (SESSION_ATTRIBUTES.has(name) && this.#controller) {
      this.#controller.stop();
      this.#start();
    }
    this.#render();
  }

  /** Whether the panel is open (the `open` attribute). */
  get open(): boolean {
    return this.hasAttribute('open') && this.getAttribute('open') !== 'false';
  }

  set open(value: boolean) {
    if (value) this.setAttribute('open', '');
    else this.removeAttribute('open');
  }

  #start(): void {
    const controller = new WidgetController(readConfig(this), (name, detail) =>
      this.dispatchEvent(new CustomEvent(`sayso:${name}`, { detail, bubbles: true, composed: true })),
    );
    this.#controller = controller;
    void controller.start();
  }

  #render(): void {
    if (!this.#controller) return;
    this.#config = readConfig(this);
    render(h(App, { controller: this.#controller, config: this.#config, setOpen: (open: boolean) => (this.open = open) }), this.#root);
  }
}
