import { ERROR_STATUS, type ErrorCode } from '@sayso/protocol';

/** An error a person or client can act on: a protocol code, a message that says what to do, details. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string, id: string) =>
  new AppError('not_found', `No ${what} with id ${id} exists for this account. Check the id, or list ${what}s to find it.`, {
    id,
  });

export const versionConflict = (what: string, expected: number, current: unknown, currentVersion: number) =>
  new AppError(
    'version_conflict',
    `This ${what} was changed since version ${expected}; it is now at version ${currentVersion}. ` +
      'Reload it, reapply your change, and send the new version.',
    { expectedVersion: expected, currentVersion, current },
  );
