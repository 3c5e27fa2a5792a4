/**
 * English catalog (put together in en.ts): the screen around the mail
 * (connection and offline status, notifications, theme, panes, keyboard help).
 */
import type { Message } from "../en";

const status = {
  // Connection
  "connection.connecting": "Connecting…",
  "connection.reconnecting": "Reconnecting…",
  "connection.offline": "Offline. Showing saved mail.",
  "connection.imapReconnecting": "The mail server connection dropped. Reconnecting…",
  "connection.imapOffline": "The mail server cannot be reached right now.",
  "connection.retryNow": "Retry now",
  "connection.updating": "Ferry was updated. Reloading…",
  "connection.outdated": "Ferry was updated. Reload the page to keep using it.",
  "connection.reload": "Reload",
  "connection.updateReady": "A new version is ready",
  // A pane with nothing kept on this device, while the bridge is out of reach (waiting-note.tsx)
  "waiting.folder": "This folder shows once Ferry is connected.",
  "waiting.folderOffline":
    "Offline: this folder is not saved on this device. It shows when connected.",
  "waiting.search": "Search results show once Ferry is connected.",
  "waiting.searchOffline": "Offline: searching needs a connection. Results show when connected.",
  "waiting.scheduled": "Scheduled mail shows once Ferry is connected.",
  "waiting.scheduledOffline": "Offline: scheduled mail shows when connected.",
  "waiting.snoozed": "Snoozed mail shows once Ferry is connected.",
  "waiting.snoozedOffline": "Offline: snoozed mail shows when connected.",
  "waiting.message": "This message shows once Ferry is connected.",
  "waiting.folders": "Folders show once Ferry is connected.",
  "waiting.foldersOffline": "Offline: folders show when connected.",
  "waiting.identities": "Your addresses show once Ferry is connected.",
  "waiting.identitiesOffline": "Offline: your addresses show when connected.",
  "waiting.filters": "Filters show once Ferry is connected.",
  "waiting.filtersOffline": "Offline: filters show when connected.",
  "offline.pending": {
    one: "1 change waiting to sync",
    other: "{count} changes waiting to sync",
  },
  "offline.queued": "No connection: this will be done when Ferry is back online",
  "offline.synced": {
    one: "1 change made offline is synced",
    other: "{count} changes made offline are synced",
  },
  "offline.dropped": "A change made offline could not be applied: {reason}",
  "offline.sendQueued":
    "No connection: the message is in the Outbox and goes when Ferry is back online",
  "offline.sendDropped": "A message from the Outbox could not be sent: {reason}",
  "offline.sendInterrupted":
    "The connection dropped while a message from the Outbox was being handed over. It is back in the composer: check Sent before sending it again.",
  "offline.outbox": "Outbox",
  "offline.localDrafts": "Drafts on this device",
  "offline.localDraftsCount": {
    one: "1 draft not yet saved to Drafts",
    other: "{count} drafts not yet saved to Drafts",
  },
  "offline.openLocalDraft": "Open draft {subject}",
  "offline.draftsSynced": {
    one: "1 draft written offline is saved to Drafts",
    other: "{count} drafts written offline are saved to Drafts",
  },
  "offline.draftRefused":
    "A draft written offline could not be saved to Drafts: {reason}. It is still on this device.",
  "offline.outboxCount": {
    one: "1 message waiting to be sent",
    other: "{count} messages waiting to be sent",
  },
  "offline.keptFileMissing": "{name}, attached offline, is no longer on this device",
  "compose.attachment.kept": "Will upload when online",
  "compose.file.cannotKeep":
    "{name} cannot be kept on this device while offline (files kept offline may take up to {limit} in all). Attach it when Ferry is back online.",
  "compose.file.storageRefused":
    "{name} cannot be kept on this device: the browser refused to store it. Attach it when Ferry is back online.",
  "notify.oneTitle": "New mail from {from}",
  "notify.manyTitle": "{count} new messages",
  "notify.latest": "Latest from {from}: {subject}",
  "notify.unknownSender": "an unknown sender",
  "settings.notify.title": "Notifications",
  "settings.notify.label": "Notify me of new mail while Ferry is in the background",
  "settings.notify.denied":
    "This browser blocks Ferry's notifications; allow them in its site settings.",
  "settings.offline.title": "Available offline",
  "settings.offline.label": "Keep the Inbox's recent mail on this device to read offline",
  "settings.offline.off": "Off",
  "settings.offline.days": { one: "Last {count} day", other: "Last {count} days" },
  "settings.offline.usage": {
    one: "{used} of {budget}, {count} message",
    other: "{used} of {budget}, {count} messages",
  },
  "settings.offline.fetching": "Fetching…",
  "settings.offline.clear": "Remove offline copies",
  "settings.offline.failed": "The setting could not be saved ({reason}).",

  // Theme
  "theme.toggle": "Theme: {mode}",
  "theme.system": "system",
  "theme.light": "light",
  "theme.dark": "dark",

  // Panes
  "pane.resizeFolders": "Resize folders pane",
  "pane.resizeList": "Resize message list",

  // Keyboard help
  "keys.title": "Keyboard shortcuts",
  "keys.open": "Keyboard shortcuts (?)",
  "keys.next": "Next message",
  "keys.prev": "Previous message",
  "keys.openMsg": "Open message",
  "keys.back": "Back to the list",
  "keys.archive": "Archive",
  "keys.delete": "Delete",
  "keys.star": "Star or unstar",
  "keys.select": "Select message",
  "keys.read": "Mark as read",
  "keys.unread": "Mark as unread",
  "keys.nextInConversation": "Next message in the conversation",
  "keys.prevInConversation": "Previous message in the conversation",
  "keys.expandAll": "Expand all messages of the conversation",
  "keys.collapseAll": "Collapse all messages of the conversation",
  "keys.search": "Search",
  "keys.gotoInbox": "Go to Inbox",
  "keys.gotoStarred": "Go to Starred",
  "keys.gotoDrafts": "Go to Drafts",
  "keys.gotoSent": "Go to Sent",
  "keys.help": "Show these shortcuts",
  "keys.then": "then",
} as const satisfies Record<string, Message>;

export default status;
