/** Where each Google endpoint Sayso uses lives: Google's own hosts, or one base URL (a local stand-in). */
export interface GoogleEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  userinfo: string;
  /** `rootUrl` of the Sheets client. */
  sheetsRoot: string;
  /** `rootUrl` of the Drive and Calendar clients. */
  apisRoot: string;
}

export function googleEndpoints(baseUrl?: string): GoogleEndpoints {
  if (baseUrl) {
    return {
      authorize: `${baseUrl}/o/oauth2/v2/auth`,
      token: `${baseUrl}/token`,
      revoke: `${baseUrl}/revoke`,
      userinfo: `${baseUrl}/v1/userinfo`,
      sheetsRoot: `${baseUrl}/`,
      apisRoot: `${baseUrl}/`,
    };
  }
  return {
    authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
    token: 'https://oauth2.googleapis.com/token',
    revoke: 'https://oauth2.googleapis.com/revoke',
    userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
    sheetsRoot: 'https://sheets.googleapis.com/',
    apisRoot: 'https://www.googleapis.com/',
  };
}
