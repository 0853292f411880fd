/**
 * @sayso/sdk: a typed, framework-free client for the Sayso gateway.
 *
 * @example
 * import { SaysoClient } from '@sayso/sdk';
 * const client = await SaysoClient.signInLocal('http://localhost:8787');
 * await client.tasks.create({ title: 'Water the plants' });
 */
export { SaysoClient, type SaysoClientOptions, type Session, type SignInLocalOptions } from './client.js';
export {
  SaysoError, ValidationError, AuthError, NotFoundError, ConflictError, RateLimitError, ServerError, ConnectionError,
  type SaysoErrorCode,
} from './errors.js';
export type { ClientSource, CreateOptions, RequestOptions } from './http.js';
export { LiveSubscription, type LiveOptions, type LiveState, type WebSocketConstructor, type WebSocketLike } from './live.js';
export type { Tasks, TaskCreateParams, TaskUpdateParams, TaskListParams } from './resources/tasks.js';
export type { Journal, JournalContent, JournalCreateParams, JournalUpdateParams, JournalListParams } from './resources/journal.js';
export { EncryptedJournal, type OpenEntry, type EncryptedSearchHit, type RekeyProgress } from './resources/encrypted-journal.js';
export {
  JournalLock, JournalLockError, DEFAULT_ITERATIONS, type JournalLockErrorCode, type JournalLockParams, type JournalSecret,
  type SealedContent, type UnlockParams,
} from './crypto/journal-lock.js';
export { searchLocally, type LocalHit } from './resources/local-search.js';
export type { Turns, TextTurnResult } from './resources/turns.js';
export { VoiceSession, type VoiceSocket, type VoiceSocketConstructor } from './voice/voice-session.js';
export type {
  ClientTool, VoiceConnectOptions, VoiceErrorKind, VoiceSessionEvents, VoiceSessionOptions, VoiceSessionState,
} from './voice/types.js';
export type { Habits, HabitCreateParams, HabitUpdateParams, CheckInParams, HabitStats } from './resources/habits.js';
// The wire types, so apps need not depend on @sayso/protocol themselves.
export type {
  Task, TaskStatus, TaskPriority, Source, JournalEntry, JournalSearchHit, Habit, HabitCadence, HabitCheckin, Page, User,
  LiveEvent, LiveEventType, ChangeOp, TaskUpdate, JournalUpdate, HabitUpdate, CheckinUpdate, VoiceTranscript, SyncStatus, SyncStatusUpdate, ErrorCode,
  TurnOutcome, Action, VoiceMode, VoiceTransportKind,
} from '@sayso/protocol';
export { PROTOCOL_VERSION } from '@sayso/protocol';
