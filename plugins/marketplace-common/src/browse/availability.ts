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
