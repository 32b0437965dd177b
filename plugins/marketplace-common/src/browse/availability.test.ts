import { isAvailableAt, localTime, upcomingMaintenance } from './availability';

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
