import { and, asc, desc, eq, gte, isNull, lte, type SQL } from 'drizzle-orm';
import type { Habit, HabitCheckin } from '@sayso/protocol';
import type { Db } from '../store/open-store.js';
import { habitCheckins, habits } from '../store/schema.js';
import { isUniqueViolation, type Changes, type Tx, type WriteContext, type WriteResult } from './changes.js';
import { AppError, notFound, versionConflict } from './errors.js';
import { toCheckin, toHabit } from './mappers.js';
import { todayIn } from './paging.js';
import type { CheckinInputValue, HabitCreateInput, HabitPatchInput } from './schemas.js';
import { addDays, streaks } from './streaks.js';
import { definedOnly } from './tasks.js';
import type { Users } from './users.js';

type HabitRow = typeof habits.$inferSelect;

const nameTaken = (name: string) =>
  new AppError('already_exists', `You already have a habit called "${name}". Pick another name, or check in to that one.`, {
    field: 'name',
  });

/** Habits and their daily check-ins. */
export class HabitService {
  constructor(
    private readonly db: Db,
    private readonly changes: Changes,
    private readonly users: Users,
  ) {}

  async list(userId: string): Promise<Habit[]> {
    const rows = await this.db
      .select()
      .from(habits)
      .where(and(eq(habits.userId, userId), isNull(habits.deletedAt)))
      .orderBy(asc(habits.createdAt), asc(habits.id));
    return rows.map(toHabit);
  }

  async get(userId: string, id: string): Promise<Habit> {
    return toHabit(await this.row(this.db, userId, id));
  }

  async create(ctx: WriteContext, input: HabitCreateInput): Promise<WriteResult<Habit>> {
    try {
      return await this.changes.write(ctx, async (tx, emit) => {
        const now = new Date();
        const [row] = await tx
          .insert(habits)
          .values({
            userId: ctx.userId,
            name: input.name,
            cadence: input.cadence ?? 'daily',
            target: input.target ?? 1,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        const habit = toHabit(row!);
        emit('habit_update', { op: 'created', habit });
        return habit;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(input.name);
      throw err;
    }
  }

  async update(ctx: WriteContext, id: string, patch: HabitPatchInput): Promise<WriteResult<Habit>> {
    try {
      return await this.changes.write(ctx, async (tx, emit) => {
        const current = await this.row(tx, ctx.userId, id, true);
        if (patch.version !== undefined && patch.version !== current.version) {
          throw versionConflict('habit', patch.version, toHabit(current), current.version);
        }
        const { version: _v, ...fields } = patch;
        const [row] = await tx
          .update(habits)
          .set({ ...definedOnly(fields), version: current.version + 1, updatedAt: new Date() })
          .where(eq(habits.id, current.id))
          .returning();
        const habit = toHabit(row!);
        emit('habit_update', { op: 'updated', habit });
        return habit;
      });
    } catch (err) {
      if (isUniqueViolation(err) && patch.name) throw nameTaken(patch.name);
      throw err;
    }
  }

  remove(ctx: WriteContext, id: string, version?: number): Promise<WriteResult<Habit>> {
    return this.changes.write(ctx, async (tx, emit) => {
      const current = await this.row(tx, ctx.userId, id, true);
      if (version !== undefined && version !== current.version) {
        throw versionConflict('habit', version, toHabit(current), current.version);
      }
      const now = new Date();
      const [row] = await tx
        .update(habits)
        .set({ deletedAt: now, updatedAt: now, version: current.version + 1 })
        .where(eq(habits.id, current.id))
        .returning();
      const habit = toHabit(row!);
      emit('habit_update', { op: 'deleted', habit });
      return habit;
    });
  }

  /** One check-in per habit and day: checking in again that day replaces its value and note. */
  async checkIn(ctx: WriteContext, habitId: string, input: CheckinInputValue): Promise<WriteResult<HabitCheckin>> {
    const day = input.day ?? todayIn(await this.users.timeZone(ctx.userId));
    return this.changes.write(ctx, async (tx, emit) => {
      await this.row(tx, ctx.userId, habitId);
      const now = new Date();
      const [existing] = await tx
        .select()
        .from(habitCheckins)
        .where(and(eq(habitCheckins.habitId, habitId), eq(habitCheckins.day, day)))
        .for('update');
      const values = { value: input.value ?? 1, note: input.note ?? null, updatedAt: now };
      const [row] = existing
        ? await tx.update(habitCheckins).set(values).where(eq(habitCheckins.id, existing.id)).returning()
        : await tx
            .insert(habitCheckins)
            .values({ userId: ctx.userId, habitId, day, ...values, createdAt: now })
            .returning();
      const checkin = toCheckin(row!);
      emit('checkin_update', { op: existing ? 'updated' : 'created', checkin, habitId });
      return checkin;
    });
  }

  async removeCheckin(ctx: WriteContext, habitId: string, day: string): Promise<WriteResult<HabitCheckin>> {
    return this.changes.write(ctx, async (tx, emit) => {
      await this.row(tx, ctx.userId, habitId);
      const [row] = await tx
        .delete(habitCheckins)
        .where(and(eq(habitCheckins.habitId, habitId), eq(habitCheckins.day, day), eq(habitCheckins.userId, ctx.userId)))
        .returning();
      if (!row) throw new AppError('not_found', `There is no check-in for this habit on ${day}.`, { habitId, day });
      const checkin = toCheckin(row);
      emit('checkin_update', { op: 'deleted', checkin, habitId });
      return checkin;
    });
  }

  async checkins(userId: string, habitId: string, range: { from?: string | undefined; to?: string | undefined }): Promise<HabitCheckin[]> {
    await this.row(this.db, userId, habitId);
    const where: Array<SQL | undefined> = [eq(habitCheckins.habitId, habitId), eq(habitCheckins.userId, userId)];
    if (range.from) where.push(gte(habitCheckins.day, range.from));
    if (range.to) where.push(lte(habitCheckins.day, range.to));
    const rows = await this.db.select().from(habitCheckins).where(and(...where)).orderBy(desc(habitCheckins.day)).limit(1000);
    return rows.map(toCheckin);
  }

  /** Streaks and the last 12 weeks of values, for the heatmap. */
  async stats(userId: string, habitId: string) {
    const habit = await this.row(this.db, userId, habitId);
    const today = todayIn(await this.users.timeZone(userId));
    const rows = await this.db
      .select({ day: habitCheckins.day, value: habitCheckins.value })
      .from(habitCheckins)
      .where(and(eq(habitCheckins.habitId, habitId), eq(habitCheckins.userId, userId)))
      .orderBy(asc(habitCheckins.day));
    const { current, longest } = streaks(rows, habit.cadence, habit.target, today);
    const from = addDays(today, -83);
    return {
      habitId,
      currentStreak: current,
      longestStreak: longest,
      days: rows.filter((r) => r.day >= from && r.day <= today),
    };
  }

  private async row(db: Db | Tx, userId: string, id: string, forUpdate = false): Promise<HabitRow> {
    const query = db
      .select()
      .from(habits)
      .where(and(eq(habits.id, id), eq(habits.userId, userId), isNull(habits.deletedAt)));
    const [row] = forUpdate ? await query.for('update') : await query;
    if (!row) throw notFound('habit', id);
    return row;
  }
}
