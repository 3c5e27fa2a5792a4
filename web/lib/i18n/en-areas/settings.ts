/**
 * English catalog (put together in en.ts): the settings dialog.
 */
import type { Message } from "../en";

const settings = {
  // Settings
  "settings.open": "Settings",
  "settings.title": "Settings",
  "settings.undo.title": "Undo send",
  "settings.undo.label": "How long a sent message can be taken back",
  "settings.undo.off": "Off (send at once)",
  "settings.undo.failed": "The undo delay could not be saved ({reason}).",
  "reader.alwaysSender": "Always load from {address}",
  "reader.alwaysDomain": "Always load from {domain}",
  "reader.allowFailed": "Could not save that choice ({reason}).",
  "snooze.button": "Snooze",
  "snooze.menu": "Snooze until…",
  "snooze.laterToday": "Later today, {time}",
  "snooze.tomorrow": "Tomorrow, {time}",
  "snooze.nextWeek": "Next week, {time}",
  "snooze.pick": "Pick a date and time…",
  "snooze.when": "Date and time",
  "snooze.submit": "Snooze",
  "snooze.cancel": "Cancel",
  "snooze.inPast": "Choose a time in the future.",
  "snooze.done": "Snoozed until {time}",
  "snooze.failed": "Could not snooze ({reason}).",
  "snooze.view.title": "Snoozed",
  "snooze.view.empty": "Nothing is snoozed.",
  "snooze.view.until": "Back {time}",
  "snooze.view.wakeNow": "Back to Inbox now",
  "snooze.view.wakeFailed": "Could not bring it back ({reason}).",
  "snooze.view.problemSignin":
    "Could not come back: the saved password no longer works. It will once you sign in again.",
  "snooze.view.problemServer": "Could not reach the mail server yet; trying again.",
  "snooze.signOut": {
    one: "You have {count} snoozed message. It still comes back to your Inbox at its time: Ferry keeps your password, sealed on its server, until it has. (To leave nothing behind, bring it back from the Snoozed folder first.) Sign out?",
    other:
      "You have {count} snoozed messages. They still come back to your Inbox at their times: Ferry keeps your password, sealed on its server, until the last one has. (To leave nothing behind, bring them back from the Snoozed folder first.) Sign out?",
  },
  "settings.identities.title": "Send mail as",
  "settings.identities.intro":
    "You can always send as {email}. Add other addresses you own, each with a name and a signature; an entry for {email} itself gives it a name and a signature.",
  "settings.identities.loading": "Loading identities…",
  "settings.identities.loadFailed": "Identities could not be loaded: {reason}",
  "settings.identities.none": "No other addresses yet.",
  "settings.identities.add": "Add an address",
  "settings.identities.save": "Save addresses",
  "settings.identities.saved": "Addresses saved.",
  "settings.identities.fix": "Correct the marked fields, then save again.",
  "settings.identities.failed": "The addresses could not be saved: {reason}",
  "settings.identity.legend": "Address {number}",
  "settings.identity.name": "Name",
  "settings.identity.address": "Email address",
  "settings.identity.signature": "Signature",
  "settings.identity.remove": "Remove address {number}",
  "settings.identity.nameLineBreak": "A name cannot contain line breaks.",
  "settings.identity.addressInvalid": "Enter an email address like name@example.com.",
  "settings.identity.addressTwice": "This address is listed twice.",
} as const satisfies Record<string, Message>;

export default settings;
