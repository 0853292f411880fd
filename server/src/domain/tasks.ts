import { and, desc, eq, gte, isNull, lt, lte, type SQL } from 'drizzle-orm';
import type { Page, Task } from '@sayso/protocol';
import type { Db } from '../store/open-store.js';
import { tasks } from '../store/schema.js';
import type { Changes, Tx, WriteContext, WriteResult } from './changes.js';
import { AppError, notFound, versionConflict } from './errors.js';
import { toTask } from './mappers.js';
import { before, toPage, todayIn } from './paging.js';
import type { TaskCreateInput, TaskListInput, TaskPatchInput } from './schemas.js';
import type { Users } from './users.js';

type TaskRow = typeof tasks.$inferSelect;

/** Tasks: every read is scoped to one person; every write goes through `Changes`. */
export class TaskService {
  constructor(
    private readonly db: Db,
    private readonly changes: Changes,
    private readonly users: Users,
  ) {}

  async list(userId: string, q: TaskListInput): Promise<Page<Task>> {
    const where: Array<SQL | undefined> = [eq(tasks.userId, userId), isNull(tasks.deletedAt)];
    if (q.status) where.push(eq(tasks.status, q.status));
    if (q.list) where.push(eq(tasks.list, q.list));
    if (q.dueFrom) where.push(gte(tasks.dueDate, q.dueFrom));
    if (q.dueTo) where.push(lte(tasks.dueDate, q.dueTo));
    if (q.overdue) {
      const today = todayIn(await this.users.timeZone(userId));
      where.push(eq(tasks.status, 'open'), lt(tasks.dueDate, today));
    }
    where.push(before(tasks.createdAt, tasks.id, q.cursor));
    const rows = await this.db
      .select()
      .from(tasks)
      .where(and(...where))
      .orderBy(desc(tasks.createdAt), desc(tasks.id))
      .limit(q.limit + 1);
    return toPage(rows, q.limit, toTask);
  }

  async get(userId: string, id: string): Promise<Task> {
    return toTask(await this.row(this.db, userId, id));
  }

  create(ctx: WriteContext, input: TaskCreateInput): Promise<WriteResult<Task>> {
    return this.changes.write(ctx, async (tx, emit) => {
      const now = new Date();
      const [row] = await tx
        .insert(tasks)
        .values({
          userId: ctx.userId,
          title: input.title,
          notes: input.notes ?? null,
          priority: input.priority ?? 'none',
          dueDate: input.dueDate ?? null,
          dueTime: input.dueTime ?? null,
          list: input.list ?? 'inbox',
          source: ctx.source,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const task = toTask(row!);
      emit('task_update', { op: 'created', task });
      return task;
    });
  }

  /** Applies `patch` if the task is still at `patch.version` (when given). */
  update(ctx: WriteContext, id: string, patch: TaskPatchInput): Promise<WriteResult<Task>> {
    return this.changes.write(ctx, async (tx, emit) => {
      const current = await this.row(tx, ctx.userId, id, true);
      if (patch.version !== undefined && patch.version !== current.version) {
        throw versionConflict('task', patch.version, toTask(current), current.version);
      }
      const { version: _v, ...fields } = patch;
      const dueDate = fields.dueDate === undefined ? current.dueDate : fields.dueDate;
      const dueTime = fields.dueTime === undefined ? current.dueTime : fields.dueTime;
      if (dueTime && !dueDate) {
        throw new AppError('validation_failed', 'A due time needs a due date: send `dueDate` too, or clear `dueTime`.', {
          field: 'dueTime',
        });
      }
      const statusChange = fields.status !== undefined && fields.status !== current.status;
      // Completing a done task, or a patch that changes nothing, is answered without a write.
      if (unchanged(fields, toTask(current))) return toTask(current);
      const now = new Date();
      const [row] = await tx
        .update(tasks)
        .set({
          ...definedOnly(fields),
          version: current.version + 1,
          updatedAt: now,
          ...(statusChange ? { completedAt: fields.status === 'done' ? now : null } : {}),
        })
        .where(eq(tasks.id, current.id))
        .returning();
      const task = toTask(row!);
      const op = statusChange ? (fields.status === 'done' ? 'completed' : 'reopened') : 'updated';
      emit('task_update', { op, task });
      return task;
    });
  }

  complete(ctx: WriteContext, id: string, version?: number): Promise<WriteResult<Task>> {
    return this.update(ctx, id, { status: 'done', ...(version !== undefined ? { version } : {}) });
  }

  reopen(ctx: WriteContext, id: string, version?: number): Promise<WriteResult<Task>> {
    return this.update(ctx, id, { status: 'open', ...(version !== undefined ? { version } : {}) });
  }

  /** Soft delete: the row stays (sync needs to know it went) but no read returns it. */
  remove(ctx: WriteContext, id: string, version?: number): Promise<WriteResult<Task>> {
    return this.changes.write(ctx, async (tx, emit) => {
      const current = await this.row(tx, ctx.userId, id, true);
      if (version !== undefined && version !== current.version) {
        throw versionConflict('task', version, toTask(current), current.version);
      }
      const now = new Date();
      const [row] = await tx
        .update(tasks)
        .set({ deletedAt: now, updatedAt: now, version: current.version + 1 })
        .where(eq(tasks.id, current.id))
        .returning();
      const task = toTask(row!);
      emit('task_update', { op: 'deleted', task });
      return task;
    });
  }

  private async row(db: Db | Tx, userId: string, id: string, forUpdate = false): Promise<TaskRow> {
    const query = db
      .select()
      .from(tasks)
      .where(and(eq(tasks.id, id), eq(tasks.userId, userId), isNull(tasks.deletedAt)));
    const [row] = forUpdate ? await query.for('update') : await query;
    if (!row) throw notFound('task', id);
    return row;
  }
}

/** True when every given field already has that value (times compared as HH:MM). */
function unchanged(fields: Omit<TaskPatchInput, 'version'>, current: Task): boolean {
  return Object.entries(fields).every(([k, v]) => v === undefined || current[k as keyof Task] === v);
}

/** Drops keys whose value is undefined, so a patch only touches the fields it names. */
export function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
