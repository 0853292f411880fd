// <sayso-widget> (widget/src/element.ts, loaded by index.html from sayso-widget.js) in this page's JSX.
import 'preact';

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'sayso-widget': HTMLAttributes<HTMLElement> & { token?: string; server?: string; position?: string; theme?: string };
    }
  }
}
