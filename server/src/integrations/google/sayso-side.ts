import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Habit, Task } from '@sayso/protocol';
import type { WriteContext } from '../../domain/changes.js';
import { AppError } from '../../domain/errors.js';
import type { HabitService } from '../../domain/habits.js';
import { toHabit, toTask } from '../../domain/mappers.js';
import { HabitCreate, HabitPatch, TaskCreate, TaskPatch } from '../../domain/schemas.js';
import type { TaskService } from '../../domain/tasks.js';
import type { Db } from '../../store/open-store.js';
import { habits, syncItems, tasks } from '../../store/schema.js';
import type { Fields } from './merge.js';

export type EntityType = 'task' | 'habit';

/** A Sayso item as sync sees it: its version and the fields that are mirrored. */
export interface LocalItem {
  id: string;
  version: number;
  deleted: boolean;
  fields: Fields;
  task?: Task;
}

export const TASK_FIELDS = ['title', 'status', 'dueDate', 'dueTime', 'list', 'priority', 'notes'] as const;
export const HABIT_FIELDS = ['name', 'cadence', 'target'] as const;

const taskFields = (t: Task): Fields => ({ title: t.title, status: t.status, dueDate: t.dueDate, dueTime: t.dueTime, list: t.list, priority: t.priority, notes: t.notes });
const habitFields = (h: Habit): Fields => ({ name: h.name, cadence: h.cadence, target: h.target });

/** A write from Google that Sayso refused (a bad date in a cell): which fields, and why. */
export interface Rejected {
  field: string;
  value: string | number | null;
  message: string;
}

/**
 * Sayso's side of a sync: reads a person's tasks and habits (deleted ones too while a link still
 * mirrors them), and writes through TaskService and HabitService with the integration as source,
 * validated by the same schemas as REST, so Google's changes are ordinary changes with live events.
 */
export class SaysoSide {
  constructor(
    private readonly db: Db,
    private readonly tasks: TaskService,
    private readonly habits: HabitService,
  ) {}

  async list(userId: string, linkId: string, type: EntityType): Promise<LocalItem[]> {
    const mirrored = this.db.select({ id: syncItems.entityId }).from(syncItems).where(and(eq(syncItems.linkId, linkId), eq(syncItems.entityType, type)));
    if (type === 'task') {
      const rows = await this.db.select().from(tasks).where(and(eq(tasks.userId, userId), or(isNull(tasks.deletedAt), inArray(tasks.id, mirrored))));
      return rows.map((r) => {
        const task = toTask(r);
        return { id: r.id, version: r.version, deleted: r.deletedAt !== null, fields: taskFields(task), task };
      });
    }
    const rows = await this.db.select().from(habits).where(and(eq(habits.userId, userId), or(isNull(habits.deletedAt), inArray(habits.id, mirrored))));
    return rows.map((r) => ({ id: r.id, version: r.version, deleted: r.deletedAt !== null, fields: habitFields(toHabit(r)) }));
  }

  /** Creates an item from Google's values; invalid fields fall back to defaults and are reported. */
  async create(ctx: WriteContext, type: EntityType, fields: Fields): Promise<{ item: LocalItem; rejected: Rejected[] }> {
    const schema = type === 'task' ? TaskCreate : HabitCreate;
    const { input, rejected } = validated(schema, createInput(type, fields));
    if (type === 'task') {
      let { value } = await this.tasks.create(ctx, input as never);
      if (fields['status'] === 'done') ({ value } = await this.tasks.complete(ctx, value.id, value.version));
      return { item: { id: value.id, version: value.version, deleted: false, fields: taskFields(value), task: value }, rejected };
    }
    const { value } = await this.habits.create(ctx, input as never);
    return { item: { id: value.id, version: value.version, deleted: false, fields: habitFields(value) }, rejected };
  }

  /** Applies Google's changed fields if the item is still at `version` (else version_conflict). */
  async update(ctx: WriteContext, type: EntityType, id: string, version: number, patch: Fields): Promise<{ item: LocalItem; rejected: Rejected[] }> {
    const { input, rejected } = validated(type === 'task' ? TaskPatch : HabitPatch, { ...patch, version });
    if (type === 'task') {
      const { value } = await this.tasks.update(ctx, id, input as never);
      return { item: { id, version: value.version, deleted: false, fields: taskFields(value), task: value }, rejected };
    }
    const { value } = await this.habits.update(ctx, id, input as never);
    return { item: { id, version: value.version, deleted: false, fields: habitFields(value) }, rejected };
  }

  async remove(ctx: WriteContext, type: EntityType, id: string, version: number): Promise<void> {
    if (type === 'task') await this.tasks.remove(ctx, id, version);
    else await this.habits.remove(ctx, id, version);
  }
}

function createInput(type: EntityType, f: Fields): Record<string, unknown> {
  const defined = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null));
  // Create has no status: a row typed as done is created, then completed.
  if (type === 'task') delete defined['status'];
  return defined;
}

/** Parses `input`; fields the schema rejects are dropped (and reported) and the rest parsed again. */
function validated(schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, input: Record<string, unknown>) {
  const rejected: Rejected[] = [];
  let candidate = { ...input };
  for (let i = 0; i < 3; i++) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return { input: parsed.data as Record<string, unknown>, rejected };
    const fields = new Set(parsed.error!.issues.map((issue) => String(issue.path[0] ?? '')));
    for (const issue of parsed.error!.issues) {
      const field = String(issue.path[0] ?? '');
      if (!rejected.some((r) => r.field === field)) rejected.push({ field, value: (candidate[field] ?? null) as Rejected['value'], message: issue.message });
    }
    // A required field (a title) cannot be dropped: the whole write is refused.
    if (fields.has('') || fields.has('title') && !('version' in candidate) || fields.has('name') && !('version' in candidate)) break;
    candidate = Object.fromEntries(Object.entries(candidate).filter(([k]) => !fields.has(k)));
  }
  throw new AppError('validation_failed', `Google's values were not valid: ${rejected.map((r) => `${r.field}: ${r.message}`).join('; ')}.`, rejected);
}
