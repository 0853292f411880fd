// The /v1/voice wire contract lives in protocol/ (shared with the SDK and the widget).
export * from '@sayso/protocol/voice';
