/**
 * Sayso: tells your Sayso gateway the moment this spreadsheet changes, so edits reach Sayso in
 * seconds instead of at the next periodic check. Optional: sync works without it.
 *
 * Setup (once):
 * 1. In the linked spreadsheet: Extensions > Apps Script, paste this file, save.
 * 2. Project Settings > Script properties: add SAYSO_URL and SAYSO_SECRET with the `webhook.url`
 *    and `webhook.secret` Sayso answered when you linked the sheet (POST /v1/google/sheets).
 * 3. Run `installTrigger` once and allow access. (A simple onEdit trigger may not call other
 *    sites, so an installable trigger is used.)
 *
 * Each call carries a timestamp and an HMAC-SHA256 signature of "<link id>.<timestamp>" made with
 * the secret; the gateway refuses calls that are unsigned, wrongly signed or older than 5 minutes.
 * Nothing from the sheet is sent: the gateway reads the changes itself.
 */

function installTrigger() {
  var sheet = SpreadsheetApp.getActive();
  ScriptApp.getProjectTriggers().forEach(function (t) {
    if (t.getHandlerFunction() === 'saysoChanged') ScriptApp.deleteTrigger(t);
  });
  ScriptApp.newTrigger('saysoChanged').forSpreadsheet(sheet).onEdit().create();
  // Row deletions and pastes come as "change" events, not edits.
  ScriptApp.newTrigger('saysoChanged').forSpreadsheet(sheet).onChange().create();
}

function saysoChanged() {
  var props = PropertiesService.getScriptProperties();
  var url = props.getProperty('SAYSO_URL');
  var secret = props.getProperty('SAYSO_SECRET');
  if (!url || !secret) return;
  var linkId = url.replace(/\/+$/, '').split('/').pop();
  var timestamp = String(Date.now());
  var bytes = Utilities.computeHmacSha256Signature(linkId + '.' + timestamp, secret);
  var signature = bytes
    .map(function (b) {
      return ('0' + (b & 0xff).toString(16)).slice(-2);
    })
    .join('');
  UrlFetchApp.fetch(url, {
    method: 'post',
    contentType: 'application/json',
    payload: '{}',
    headers: { 'X-Sayso-Timestamp': timestamp, 'X-Sayso-Signature': signature },
    muteHttpExceptions: true,
  });
}
