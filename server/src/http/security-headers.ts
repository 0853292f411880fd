import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** Files other sites load with a script tag or as an AudioWorklet module: the embeddable widget. */
export const PUBLIC_BUNDLES = ['/sayso-widget.js', '/sayso-widget.mjs', '/pcm-worklet.js'];

// The home page (widget/dist) loads its scripts and styles from this origin only (no inline
// script), and talks to this gateway over REST and the live and voice sockets. Inline styles
// stay allowed: Preact sets style attributes (the level meter, the heatmap).
const directives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export interface SecurityHeaderOptions {
  /** HSTS max-age for requests that arrived over HTTPS (0: no HSTS). */
  hstsSeconds: number;
  /**
   * True when this gateway's own HTTPS listener uses the generated development certificate: no
   * HSTS on it, because HSTS is per host, not per port, and would push http://localhost:8787
   * to HTTPS in the browser.
   */
  devCertificate: boolean;
}

/**
 * helmet's headers on every response: a CSP for the gateway's own pages (harmless on JSON), no
 * framing, nosniff, no referrer (socket URLs may carry `?token=`), and HSTS only on HTTPS.
 * Cross-Origin-Resource-Policy is same-origin except on the widget bundles, which other sites load.
 */
export function securityHeaders(options: SecurityHeaderOptions): RequestHandler {
  const base: HelmetOptions = {
    contentSecurityPolicy: { useDefaults: false, directives },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  };
  const plain = helmet(base);
  const secure = options.hstsSeconds > 0 ? helmet({ ...base, strictTransportSecurity: { maxAge: options.hstsSeconds, includeSubDomains: false } }) : plain;
  const bundle = helmet({ ...base, crossOriginResourcePolicy: { policy: 'cross-origin' } });
  return (req, res, next) => {
    if (PUBLIC_BUNDLES.includes(req.path)) {
      // Public files, fetched by pages anywhere (a module script or worklet is a CORS fetch).
      res.setHeader('Access-Control-Allow-Origin', '*');
      return bundle(req, res, next);
    }
    // `req.secure`: on the HTTPS listener, or behind a proxy that says X-Forwarded-Proto: https
    // when SAYSO_TRUST_PROXY trusts it.
    const devListener = options.devCertificate && 'encrypted' in req.socket;
    return (req.secure && !devListener ? secure : plain)(req, res, next);
  };
}
