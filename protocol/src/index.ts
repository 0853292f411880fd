export * from './version.js';
export * from './entities.js';
export * from './events.js';
export * from './live.js';
export * from './errors.js';
export * from './actions.js';
export * from './voice.js';
