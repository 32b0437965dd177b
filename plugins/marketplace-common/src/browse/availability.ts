import {
  ModelServiceAvailability,
  WeeklyHours,
} from '../kinds/ModelServiceEntityV1alpha1';
import { Weekday } from '../kinds/constants';

const WEEKDAY_BY_SHORT: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/** Business hours when a service says `business_hours` without custom hours. */
export const DEFAULT_BUSINESS_HOURS: WeeklyHours[] = [
  { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
];

const formatters = new Map<string, Intl.DateTimeFormat>();
const localTimes = new Map<string, { day: Weekday; time: string }>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Weekday and HH:MM of an instant in a time zone (cached per zone and minute). */
export function localTime(
  at: Date,
  timeZone: string,
): { day: Weekday; time: string } {
  const key = `${timeZone}|${Math.floor(at.getTime() / 60_000)}`;
  const hit = localTimes.get(key);
  if (hit) {
    return hit;
  }
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (type: string) => parts.find(p => p.type === type)?.value ?? '';
  const value = {
    day: WEEKDAY_BY_SHORT[get('weekday')],
    time: `${get('hour')}:${get('minute')}`,
  };
  if (localTimes.size > 10_000) {
    localTimes.clear();
  }
  localTimes.set(key, value);
  return value;
}

function within(hours: WeeklyHours[], day: Weekday, time: string): boolean {
  return hours.some(
    h => h.days.includes(day) && time >= h.start && time < h.end,
  );
}

/**
 * Whether a service is open at an instant: inside its schedule (24/7, business
 * hours or custom hours, in its time zone) and not in a maintenance window
 * (weekly or one-off).
 */
export function isAvailableAt(
  availability: ModelServiceAvailability,
  at: Date,
): boolean {
  const timeZone = availability.timezone ?? 'UTC';
  const { day, time } = localTime(at, timeZone);
  if (availability.schedule === 'business_hours') {
    if (
      !within(
        availability.customHours?.length
          ? availability.customHours
          : DEFAULT_BUSINESS_HOURS,
        day,
        time,
      )
    ) {
      return false;
    }
  } else if (availability.schedule === 'custom') {
    if (!within(availability.customHours ?? [], day, time)) {
      return false;
    }
  }
  if (within(availability.weeklyMaintenance ?? [], day, time)) {
    return false;
  }
  const ms = at.getTime();
  return !(availability.maintenanceWindows ?? []).some(
    w => Date.parse(w.start) <= ms && ms < Date.parse(w.end),
  );
}

/** The next one-off maintenance windows that have not ended yet, soonest first. */
export function upcomingMaintenance(
  availability: ModelServiceAvailability,
  at: Date,
): { start: string; end: string; description?: string }[] {
  return (availability.maintenanceWindows ?? [])
    .filter(w => Date.parse(w.end) > at.getTime())
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Offset of a time zone from UTC at an instant, in ms (UTC+1 -> 3,600,000). */
function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) =>
    Number(parts.find(p => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in a time zone. `HH:MM` may be `24:00` (the
 * end of the day). Times skipped by a DST change resolve to the later offset.
 */
export function zonedTimeToUtc(
  date: { year: number; month: number; day: number },
  hhmm: string,
  timeZone: string,
): Date {
  const [h, m] = hhmm.split(':').map(Number);
  const wall = Date.UTC(date.year, date.month - 1, date.day, h, m);
  let instant = wall - zoneOffsetMs(wall, timeZone);
  // Once more with the offset at the first guess, for instants near a DST change.
  instant = wall - zoneOffsetMs(instant, timeZone);
  return new Date(instant);
}

/** A maintenance window at concrete instants. */
export type MaintenanceOccurrence = {
  /** ISO 8601, UTC. */
  start: string;
  /** ISO 8601, UTC. */
  end: string;
  description?: string;
  /** From `weeklyMaintenance` (else a one-off window). */
  recurring: boolean;
};

/**
 * The next maintenance windows of a service, weekly ones expanded in the service's
 * time zone over `days` days, merged with the one-off windows that have not ended,
 * soonest first, at most `limit`. A window in progress at `at` is included.
 */
export function nextMaintenanceWindows(
  availability: ModelServiceAvailability,
  at: Date,
  options: { days?: number; limit?: number } = {},
): MaintenanceOccurrence[] {
  const days = options.days ?? 14;
  const limit = options.limit ?? 5;
  const timeZone = availability.timezone ?? 'UTC';
  const now = at.getTime();
  const horizon = now + days * 24 * 3600_000;
  const out: MaintenanceOccurrence[] = [];
  for (const w of upcomingMaintenance(availability, at)) {
    if (Date.parse(w.start) <= horizon) {
      out.push({
        start: new Date(w.start).toISOString(),
        end: new Date(w.end).toISOString(),
        description: w.description,
        recurring: false,
      });
    }
  }
  if (availability.weeklyMaintenance?.length) {
    // Walk local calendar days, starting the day before (a window that began
    // yesterday evening local time may still be running).
    for (let i = -1; i <= days; i++) {
      const probe = new Date(
        now + i * 24 * 3600_000 + zoneOffsetMs(now, timeZone),
      );
      const date = {
        year: probe.getUTCFullYear(),
        month: probe.getUTCMonth() + 1,
        day: probe.getUTCDate(),
      };
      const weekday = WEEKDAYS[probe.getUTCDay()];
      for (const h of availability.weeklyMaintenance) {
        if (!h.days.includes(weekday)) {
          continue;
        }
        const start = zonedTimeToUtc(date, h.start, timeZone).getTime();
        const end = zonedTimeToUtc(date, h.end, timeZone).getTime();
        if (end > now && start <= horizon) {
          out.push({
            start: new Date(start).toISOString(),
            end: new Date(end).toISOString(),
            recurring: true,
          });
        }
      }
    }
  }
  out.sort((a, b) => a.start.localeCompare(b.start));
  return out.slice(0, limit);
}
