/**
 * English catalog (put together in en.ts): the reader, what a message's links do, and search.
 */
import type { Message } from "../en";

const reader = {
  // Reader
  "reader.empty": "Select a message to read it",
  "reader.loading": "Loading message…",
  "reader.from": "From",
  "reader.to": "To",
  "reader.cc": "Cc",
  "reader.bcc": "Bcc",
  "reader.replyTo": "Reply to",
  "reader.date": "Date",
  "reader.body": "Message body",
  "reader.noBody": "This message has no text.",
  "reader.remoteBlocked": "Remote content in this message is blocked to protect your privacy.",
  "reader.loadRemote": "Load remote content",
  "reader.attachments": { one: "{count} attachment", other: "{count} attachments" },
  "reader.download": "Download {name}",
  "reader.downloadOffline": "Offline: attachments download when Ferry is back online.",
  "reader.preview": "Preview {name}",
  "reader.hidePreview": "Hide preview of {name}",
  "reader.openInTab": "Open {name} in a new tab",
  "reader.unnamed": "Unnamed attachment",
  "reader.notFound": "This message is no longer here.",
  "reader.offline": "This message has not been saved for offline reading.",
  "reader.error": "The message could not be opened: {reason}",
  "reader.headers": "Message details",
  "reader.listUnsubscribe": "Unsubscribe",
  "reader.showTrimmed": "Show quoted text and signature",

  // Links in a message
  "link.checkTitle": "Check this link before you open it",
  "link.goesTo": "This link goes to",
  "link.site": "Site",
  "link.reason.text-mismatch": "Its text shows {shown}, but it goes to a different site.",
  "link.reason.punycode":
    "The site's name is written in international characters that can imitate a familiar name.",
  "link.reason.mixed-script":
    "The site's name mixes alphabets (such as Latin and Cyrillic) to look like another name.",
  "link.reason.ip-address": "The site is a bare network address, not a name.",
  "link.reason.credentials": "A user name in the address hides which site it really goes to.",
  "link.open": "Open link",
  "link.cancel": "Cancel",
  "link.refusedTitle": "This link can't be opened",
  "link.refused": "Ferry opens only web (http, https) and email links from messages. This one is:",

  // Search
  "search.label": "Search mail",
  "search.placeholder": "Search mail",
  "search.clear": "Clear search",
  "search.syntaxAt": "This search could not be read near character {position}: {reason}",
  "search.syntax": "This search could not be read: {reason}",
  "search.results": "Search results",
  "search.allFolders": "Search all folders",
  "search.allShort": "All",
  "search.inFolder": "in {folder}",
  "sort.label": "Sort by",
  "sort.arrival.desc": "Date received, newest first",
  "sort.arrival.asc": "Date received, oldest first",
  "sort.date.desc": "Date sent, newest first",
  "sort.date.asc": "Date sent, oldest first",
  "sort.from.asc": "Sender, A to Z",
  "sort.from.desc": "Sender, Z to A",
  "sort.subject.asc": "Subject, A to Z",
  "sort.subject.desc": "Subject, Z to A",
  "sort.size.desc": "Size, largest first",
  "sort.size.asc": "Size, smallest first",
  "sort.unavailable": "This mail server cannot sort: lists are by date received only.",
  "sort.allFolders": "Results from several folders are by date received.",
} as const satisfies Record<string, Message>;

export default reader;
