import {
  isAvailableAt,
  localTime,
  nextMaintenanceWindows,
  upcomingMaintenance,
  zonedTimeToUtc,
} from './availability';

describe('availability', () => {
  it('reads local weekday and time in a time zone', () => {
    // 2026-11-24 is a Tuesday; 08:30 UTC is 09:30 in Zurich (UTC+1)
    expect(
      localTime(new Date('2026-11-24T08:30:00Z'), 'Europe/Zurich'),
    ).toEqual({ day: 'tue', time: '09:30' });
    expect(localTime(new Date('2026-11-24T23:30:00Z'), 'Asia/Tokyo')).toEqual({
      day: 'wed',
      time: '08:30',
    });
  });

  it('knows business hours in the service time zone', () => {
    const av = {
      schedule: 'business_hours' as const,
      timezone: 'Europe/Zurich',
    };
    expect(isAvailableAt(av, new Date('2026-11-24T08:30:00Z'))).toBe(true); // Tue 09:30
    expect(isAvailableAt(av, new Date('2026-11-24T07:30:00Z'))).toBe(false); // Tue 08:30
    expect(isAvailableAt(av, new Date('2026-11-24T16:30:00Z'))).toBe(false); // Tue 17:30
    expect(isAvailableAt(av, new Date('2026-11-28T10:00:00Z'))).toBe(false); // Saturday
  });

  it('uses custom hours and subtracts weekly and one-off maintenance', () => {
    const custom = {
      schedule: 'custom' as const,
      timezone: 'UTC',
      customHours: [
        {
          days: ['sat' as const, 'sun' as const],
          start: '10:00',
          end: '14:00',
        },
      ],
    };
    expect(isAvailableAt(custom, new Date('2026-11-28T11:00:00Z'))).toBe(true);
    expect(isAvailableAt(custom, new Date('2026-11-27T11:00:00Z'))).toBe(false);

    const always = {
      schedule: '24/7' as const,
      timezone: 'UTC',
      weeklyMaintenance: [
        { days: ['sun' as const], start: '02:00', end: '03:00' },
      ],
      maintenanceWindows: [
        { start: '2026-12-06T10:00:00Z', end: '2026-12-06T12:00:00Z' },
      ],
    };
    expect(isAvailableAt(always, new Date('2026-11-29T02:30:00Z'))).toBe(false); // Sunday 02:30
    expect(isAvailableAt(always, new Date('2026-11-29T03:00:00Z'))).toBe(true);
    expect(isAvailableAt(always, new Date('2026-12-06T11:00:00Z'))).toBe(false);
    expect(isAvailableAt(always, new Date('2026-12-06T12:00:00Z'))).toBe(true);
    expect(
      upcomingMaintenance(always, new Date('2026-12-06T11:00:00Z')),
    ).toHaveLength(1);
    expect(
      upcomingMaintenance(always, new Date('2026-12-07T00:00:00Z')),
    ).toHaveLength(0);
  });
});

describe('nextMaintenanceWindows', () => {
  it('converts wall-clock times in a zone, across a DST change', () => {
    expect(
      zonedTimeToUtc(
        { year: 2026, month: 11, day: 24 },
        '09:00',
        'Europe/Zurich',
      ).toISOString(),
    ).toBe('2026-11-24T08:00:00.000Z');
    expect(
      zonedTimeToUtc(
        { year: 2026, month: 7, day: 1 },
        '09:00',
        'Europe/Zurich',
      ).toISOString(),
    ).toBe('2026-07-01T07:00:00.000Z');
    // Just after the spring-forward change (03:30 CEST = UTC+2).
    expect(
      zonedTimeToUtc(
        { year: 2026, month: 3, day: 29 },
        '03:30',
        'Europe/Zurich',
      ).toISOString(),
    ).toBe('2026-03-29T01:30:00.000Z');
    expect(
      zonedTimeToUtc(
        { year: 2026, month: 11, day: 24 },
        '24:00',
        'Asia/Tokyo',
      ).toISOString(),
    ).toBe('2026-11-24T15:00:00.000Z');
  });

  it('expands weekly maintenance in the service time zone and merges one-off windows', () => {
    const av = {
      schedule: '24/7' as const,
      timezone: 'America/New_York',
      weeklyMaintenance: [
        { days: ['sun' as const], start: '02:00', end: '04:00' },
      ],
      maintenanceWindows: [
        {
          start: '2026-11-30T22:00:00Z',
          end: '2026-11-30T23:00:00Z',
          description: 'Driver upgrade',
        },
        { start: '2026-11-01T00:00:00Z', end: '2026-11-01T01:00:00Z' },
      ],
    };
    // Tuesday 2026-11-24 12:00 UTC; New York is UTC-5 in November.
    const windows = nextMaintenanceWindows(
      av,
      new Date('2026-11-24T12:00:00Z'),
      {
        days: 14,
      },
    );
    expect(windows).toEqual([
      {
        start: '2026-11-29T07:00:00.000Z',
        end: '2026-11-29T09:00:00.000Z',
        recurring: true,
      },
      {
        start: '2026-11-30T22:00:00.000Z',
        end: '2026-11-30T23:00:00.000Z',
        description: 'Driver upgrade',
        recurring: false,
      },
      {
        start: '2026-12-06T07:00:00.000Z',
        end: '2026-12-06T09:00:00.000Z',
        recurring: true,
      },
    ]);
  });

  it('includes a window in progress and respects the limit', () => {
    const av = {
      schedule: '24/7' as const,
      timezone: 'UTC',
      weeklyMaintenance: [
        {
          days: ['mon' as const, 'tue' as const, 'wed' as const],
          start: '11:00',
          end: '13:00',
        },
      ],
    };
    const windows = nextMaintenanceWindows(
      av,
      new Date('2026-11-24T12:00:00Z'),
      {
        limit: 2,
      },
    );
    expect(windows.map(w => w.start)).toEqual([
      '2026-11-24T11:00:00.000Z',
      '2026-11-25T11:00:00.000Z',
    ]);
    expect(
      nextMaintenanceWindows(
        { schedule: '24/7' },
        new Date('2026-11-24T12:00:00Z'),
      ),
    ).toEqual([]);
  });
});
