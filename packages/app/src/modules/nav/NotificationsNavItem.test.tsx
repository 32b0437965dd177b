import { notificationsLabel } from './NotificationsNavItem';

describe('notificationsLabel', () => {
  it('names the item with the unread count it shows', () => {
    expect(notificationsLabel(0)).toBe('Notifications');
    expect(notificationsLabel(11)).toBe('Notifications 11 unread');
    expect(notificationsLabel(250)).toBe('Notifications 99+ unread');
  });
});
