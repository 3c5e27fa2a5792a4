/**
 * Managing folders through a real bridge against the real Dovecot: create, rename, move,
 * delete, subscribe and empty, each looked at afterwards over a separate IMAP client; every bad
 * name and refused change gets its typed error and leaves the server's folders as they were; and
 * each change reaches the other sessions of the same account (not other accounts) as
 * `mailboxes.changed`.
 */
import { startMailServer } from "@ferry/mail-server";
import type { TClientFrameInput, TServerFrame, TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  type MailServer,
  openSocket,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

let mail: MailServer;
let b: TestBridge;
const devices: ImapFlow[] = [];
const sockets: TestSocket[] = [];
let nextUser = 0;
let ids = 0;

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: Array.from({ length: 12 }, (_, i) => ({ email: `folders${i}@example.test` })),
  });
  b = await startBridge(mail);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(devices.map((d) => d.logout().catch(() => d.close())));
  await b?.close();
  await mail?.stop();
});

interface Account {
  email: string;
  password: string;
  /** Another IMAP client of the same account: how the tests look at the server. */
  device: ImapFlow;
  socket: TestSocket;
}

async function account(): Promise<Account> {
  const u = mail.users[nextUser++];
  if (!u) throw new Error("add more fixture users");
  const device = await imapClient(mail, u);
  devices.push(device);
  const socket = await openSocket(b, await signedIn(b, u.email, u.password));
  sockets.push(socket);
  return { ...u, device, socket };
}

/** Every folder on the server with its subscription, as another client sees it. */
async function serverFolders(device: ImapFlow): Promise<string[]> {
  const list = await device.list();
  return list.map((m) => `${m.path}${m.subscribed ? "" : " (unsubscribed)"}`).sort();
}

/** How many messages `path` holds, as another client's STATUS says (-1: no answer). */
async function messagesIn(device: ImapFlow, path: string): Promise<number> {
  const status = await device.status(path, { messages: true });
  return status === false ? -1 : (status.messages ?? -1);
}

type Request = TClientFrameInput extends infer F
  ? F extends { id: string }
    ? Omit<F, "id">
    : never
  : never;

async function send(s: TestSocket, frame: Request): Promise<TServerFrame> {
  return s.request({ ...frame, id: `f${++ids}` } as TClientFrameInput);
}

async function ok(s: TestSocket, frame: Request): Promise<TServerFrameOf<"folder.done">> {
  const reply = await send(s, frame);
  if (reply.type !== "folder.done")
    throw new Error(`expected folder.done: ${JSON.stringify(reply)}`);
  return reply;
}

async function refused(s: TestSocket, frame: Request): Promise<string> {
  const reply = await send(s, frame);
  if (reply.type !== "error") throw new Error(`expected an error: ${JSON.stringify(reply)}`);
  return reply.code;
}

describe("creating folders", () => {
  it("creates at the top level and inside another, subscribed, with non-ASCII names intact", async () => {
    const a = await account();
    const top = await ok(a.socket, { type: "folder.create", parent: null, name: "Projects" });
    expect(top.path).toBe("Projects");
    const nested = await ok(a.socket, {
      type: "folder.create",
      parent: "Projects",
      name: "Été 日本",
    });
    expect(nested.path).toBe("Projects/Été 日本");
    expect(nested.mailboxes.find((m) => m.path === "Projects/Été 日本")).toMatchObject({
      name: "Été 日本",
      parent: "Projects",
      subscribed: true,
      selectable: true,
    });
    const seen = await serverFolders(a.device);
    expect(seen).toContain("Projects");
    expect(seen).toContain("Projects/Été 日本");
    // The name also reads back as typed through a fresh listing of the bridge.
    const listed = await send(a.socket, { type: "mailboxes.list" });
    if (listed.type !== "mailboxes") throw new Error(JSON.stringify(listed));
    expect(listed.mailboxes.map((m) => m.path)).toContain("Projects/Été 日本");
  });

  it("refuses bad names with folder_name_invalid and creates nothing", async () => {
    const a = await account();
    await ok(a.socket, { type: "folder.create", parent: null, name: "Parent" });
    const before = await serverFolders(a.device);
    const bad = [
      "Line\r\nBreak",
      "Line\nFeed",
      "Nul\u0000Name",
      "/Leading",
      "Has/Delimiter",
      "x".repeat(1000),
      "   ",
      "",
      "INBOX",
      "inbox",
    ];
    for (const name of bad) {
      expect(await refused(a.socket, { type: "folder.create", parent: null, name }), name).toBe(
        "folder_name_invalid",
      );
      expect(
        await refused(a.socket, { type: "folder.create", parent: "Parent", name: `${name}/` }),
        name,
      ).toBe("folder_name_invalid");
    }
    expect(await refused(a.socket, { type: "folder.create", parent: null, name: "Parent" })).toBe(
      "folder_exists",
    );
    expect(
      await refused(a.socket, { type: "folder.create", parent: "Nowhere", name: "Child" }),
    ).toBe("mailbox_not_found");
    expect(await serverFolders(a.device)).toEqual(before);
  });
});

describe("renaming and moving folders", () => {
  it("renames a folder with its subfolders and their subscriptions", async () => {
    const a = await account();
    await ok(a.socket, { type: "folder.create", parent: null, name: "Work" });
    await ok(a.socket, { type: "folder.create", parent: "Work", name: "Alpha" });
    await ok(a.socket, { type: "folder.create", parent: "Work/Alpha", name: "Deep" });
    await a.device.append("Work/Alpha", plainMessage(a.email, "kept"));
    const done = await ok(a.socket, {
      type: "folder.rename",
      path: "Work",
      parent: null,
      name: "Jobs",
    });
    expect(done.path).toBe("Jobs");
    const seen = await serverFolders(a.device);
    expect(seen).toEqual(expect.arrayContaining(["Jobs", "Jobs/Alpha", "Jobs/Alpha/Deep"]));
    expect(seen.filter((p) => p.startsWith("Work"))).toEqual([]);
    expect(await messagesIn(a.device, "Jobs/Alpha")).toBe(1);
  });

  it("moves a folder under another, and back to the top level", async () => {
    const a = await account();
    await ok(a.socket, { type: "folder.create", parent: null, name: "Receipts" });
    await ok(a.socket, { type: "folder.create", parent: null, name: "Money" });
    const moved = await ok(a.socket, {
      type: "folder.rename",
      path: "Receipts",
      parent: "Money",
      name: "Receipts",
    });
    expect(moved.path).toBe("Money/Receipts");
    expect(await serverFolders(a.device)).toContain("Money/Receipts");
    expect(await serverFolders(a.device)).not.toContain("Receipts");
    await ok(a.socket, {
      type: "folder.rename",
      path: "Money/Receipts",
      parent: null,
      name: "Receipts",
    });
    expect(await serverFolders(a.device)).toContain("Receipts");
  });

  it("refuses a taken name, a bad name, a protected folder and a move into itself; nothing changes", async () => {
    const a = await account();
    await ok(a.socket, { type: "folder.create", parent: null, name: "One" });
    await ok(a.socket, { type: "folder.create", parent: null, name: "Two" });
    await ok(a.socket, { type: "folder.create", parent: "One", name: "Inner" });
    const before = await serverFolders(a.device);
    const rename = (path: string, parent: string | null, name: string) =>
      refused(a.socket, { type: "folder.rename", path, parent, name });
    expect(await rename("One", null, "Two")).toBe("folder_exists");
    expect(await rename("One", null, "Bad\r\nName")).toBe("folder_name_invalid");
    expect(await rename("One", null, "/One")).toBe("folder_name_invalid");
    expect(await rename("One", null, " ")).toBe("folder_name_invalid");
    expect(await rename("One", "One/Inner", "One")).toBe("bad_request");
    expect(await rename("One", "One", "One")).toBe("bad_request");
    for (const special of ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"]) {
      expect(await rename(special, null, `${special} renamed`), special).toBe("folder_protected");
      expect(await rename(special, "Two", special), special).toBe("folder_protected");
    }
    expect(await rename("Gone", null, "Here")).toBe("mailbox_not_found");
    expect(await serverFolders(a.device)).toEqual(before);
  });
});

describe("deleting, subscribing and emptying", () => {
  it("deletes a folder with its subfolders and messages", async () => {
    const a = await account();
    await ok(a.socket, { type: "folder.create", parent: null, name: "Old" });
    await ok(a.socket, { type: "folder.create", parent: "Old", name: "Older" });
    await a.device.append("Old/Older", plainMessage(a.email, "bye"));
    const done = await ok(a.socket, { type: "folder.delete", path: "Old" });
    expect(done.path).toBeNull();
    expect(done.mailboxes.map((m) => m.path)).not.toContain("Old");
    expect((await serverFolders(a.device)).filter((p) => p.startsWith("Old"))).toEqual([]);
  });

  it("refuses to delete Inbox, the special-use folders, or a folder holding one", async () => {
    const a = await account();
    const before = await serverFolders(a.device);
    for (const special of ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"]) {
      expect(await refused(a.socket, { type: "folder.delete", path: special }), special).toBe(
        "folder_protected",
      );
    }
    expect(await refused(a.socket, { type: "folder.delete", path: "Missing" })).toBe(
      "mailbox_not_found",
    );
    expect(await serverFolders(a.device)).toEqual(before);
  });

  it("unsubscribes and subscribes again; the inbox stays subscribed", async () => {
    const a = await account();
    await ok(a.socket, { type: "folder.create", parent: null, name: "Lists" });
    const off = await ok(a.socket, { type: "folder.subscribe", path: "Lists", subscribed: false });
    expect(off.mailboxes.find((m) => m.path === "Lists")?.subscribed).toBe(false);
    expect(await serverFolders(a.device)).toContain("Lists (unsubscribed)");
    const on = await ok(a.socket, { type: "folder.subscribe", path: "Lists", subscribed: true });
    expect(on.mailboxes.find((m) => m.path === "Lists")?.subscribed).toBe(true);
    expect(await serverFolders(a.device)).toContain("Lists");
    expect(
      await refused(a.socket, { type: "folder.subscribe", path: "INBOX", subscribed: false }),
    ).toBe("folder_protected");
  });

  it("empties Trash and Junk for good, and nothing else", async () => {
    const a = await account();
    for (const folder of ["Trash", "Junk", "Archive"]) {
      await a.device.append(folder, plainMessage(a.email, `${folder} 1`));
      await a.device.append(folder, plainMessage(a.email, `${folder} 2`), ["\\Seen"]);
    }
    await ok(a.socket, { type: "folder.empty", path: "Trash" });
    await ok(a.socket, { type: "folder.empty", path: "Junk" });
    expect(await messagesIn(a.device, "Trash")).toBe(0);
    expect(await messagesIn(a.device, "Junk")).toBe(0);
    expect(await refused(a.socket, { type: "folder.empty", path: "Archive" })).toBe("bad_request");
    expect(await refused(a.socket, { type: "folder.empty", path: "INBOX" })).toBe("bad_request");
    expect(await messagesIn(a.device, "Archive")).toBe(2);
    // An empty Trash empties again without complaint.
    await ok(a.socket, { type: "folder.empty", path: "Trash" });
  });
});

describe("other tabs and devices", () => {
  it("pushes mailboxes.changed to every session of the account on this bridge, not to others", async () => {
    const a = await account();
    const other = await account();
    const secondTab = await openSocket(b, await signedIn(b, a.email, a.password));
    sockets.push(secondTab);
    const changed = (f: TServerFrame) => f.type === "mailboxes.changed";
    const before = other.socket.ofType("mailboxes.changed").length;
    for (const frame of [
      { type: "folder.create", parent: null, name: "Shared" },
      { type: "folder.rename", path: "Shared", parent: null, name: "Shared 2" },
      { type: "folder.subscribe", path: "Shared 2", subscribed: false },
      { type: "folder.delete", path: "Shared 2" },
    ] as const) {
      // One told for an earlier change (a tab may be told twice) does not answer for this one.
      const from = secondTab.mark();
      await ok(a.socket, frame);
      await secondTab.waitFor(changed, `mailboxes.changed after ${frame.type}`, 3000, from);
    }
    const refusal = await refused(a.socket, { type: "folder.delete", path: "INBOX" });
    expect(refusal).toBe("folder_protected");
    expect(other.socket.ofType("mailboxes.changed").length).toBe(before);
  });
});
