import { ErrorCode, type TErrorCode } from "@ferry/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reasonOf } from "./actions";
import { fetchSession, signIn } from "./api";
import { uploadErrorText } from "./compose/messages";
import { uploadFile } from "./compose/uploads";
import { FerryError } from "./errors";
import en from "./i18n/en";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("one error type, one enum", () => {
  it("every code, the browser's own included, has the user's words in the catalog", () => {
    const catalog: Record<string, unknown> = en;
    for (const code of ErrorCode.options) {
      expect(typeof catalog[`error.${code}`], code).toBe("string");
      expect(reasonOf(new FerryError(code, "raw server words"))).toBe(catalog[`error.${code}`]);
    }
    for (const code of ["network", "timeout", "aborted"] as const) {
      expect(ErrorCode.options).toContain(code);
    }
  });

  it("a request that got no answer in time reads as before", () => {
    expect(reasonOf(new FerryError("timeout", "No answer from Ferry in time"))).toBe(
      "the server took too long to answer",
    );
    expect(reasonOf(new Error("anything else"))).toBe("something went wrong on the server");
  });
});

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

const REQUEST = {
  email: "a@example.test",
  password: "secret",
} as unknown as Parameters<typeof signIn>[0];

describe("HTTP API failures are FerryErrors", () => {
  it("no bridge at all: code network, status 0", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    const err = await signIn(REQUEST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ code: "network", status: 0 });
  });

  it("a refusal carries the bridge's code, the status and Retry-After", async () => {
    vi.stubGlobal("fetch", () =>
      Promise.resolve(
        answer(
          429,
          { error: { code: "too_many_attempts", message: "Wait" } },
          { "Retry-After": "42" },
        ),
      ),
    );
    const err = await signIn(REQUEST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ code: "too_many_attempts", status: 429, retryAfter: 42 });
  });

  it("an answer that is not the protocol's is named by its status", async () => {
    vi.stubGlobal("fetch", () => Promise.resolve(new Response("<html>", { status: 502 })));
    await expect(signIn(REQUEST)).rejects.toMatchObject({ code: "internal", status: 502 });
  });

  it("signed out (401) is no session, not an error; offline is network", async () => {
    vi.stubGlobal("fetch", () =>
      Promise.resolve(answer(401, { error: { code: "unauthorized", message: "Sign in" } })),
    );
    await expect(fetchSession()).resolves.toBeNull();
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("offline")));
    await expect(fetchSession()).rejects.toMatchObject({ code: "network" });
  });
});

/** XMLHttpRequest as uploadFile() uses it; each test says how the request ends. */
class FakeXhr {
  static end: (xhr: FakeXhr) => void = () => {};
  status = 0;
  responseText = "";
  responseType = "";
  withCredentials = false;
  upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(): void {}
  setRequestHeader(): void {}
  send(): void {
    FakeXhr.end(this);
  }
  abort(): void {
    this.onabort?.();
  }
  answer(status: number, body: unknown): void {
    this.status = status;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.onload?.();
  }
}

async function uploadFailure(end: (xhr: FakeXhr) => void): Promise<unknown> {
  FakeXhr.end = end;
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  const handle = uploadFile(new Blob(["x"]), "a.txt", () => {});
  return handle.promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe("upload failures are FerryErrors, and read as before", () => {
  const cases: [string, (xhr: FakeXhr) => void, TErrorCode, string][] = [
    ["cut off", (x) => x.onerror?.(), "network", "compose.upload.network"],
    ["cancelled", (x) => x.abort(), "aborted", "compose.upload.aborted"],
    ["413 without a body", (x) => x.answer(413, "too big"), "too_large", ""],
    [
      "refused with a code",
      (x) => x.answer(403, { error: { code: "read_only", message: "no" } }),
      "read_only",
      "",
    ],
    ["signed out", (x) => x.answer(401, ""), "unauthorized", ""],
    ["a broken answer", (x) => x.answer(200, { nope: 1 }), "internal", ""],
  ];
  for (const [name, end, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const err = await uploadFailure(end);
      expect(err).toBeInstanceOf(FerryError);
      expect((err as FerryError).code).toBe(code);
    });
  }

  it("the attachment row says the same words as before", async () => {
    expect(uploadErrorText(await uploadFailure((x) => x.onerror?.()))).toBe(
      en["compose.upload.network"],
    );
    expect(uploadErrorText(await uploadFailure((x) => x.abort()))).toBe("Upload cancelled.");
    expect(uploadErrorText(await uploadFailure((x) => x.answer(413, "")))).toMatch(
      /^Not uploaded: larger than /,
    );
    expect(uploadErrorText(await uploadFailure((x) => x.answer(401, "")))).toBe(
      "Not uploaded: you are signed out.",
    );
    expect(
      uploadErrorText(
        await uploadFailure((x) => x.answer(403, { error: { code: "read_only", message: "no" } })),
      ),
    ).toBe("Not uploaded: this folder is read-only.");
    expect(uploadErrorText(new Error("odd"))).toBe(
      "Not uploaded: something went wrong on the server.",
    );
  });
});
