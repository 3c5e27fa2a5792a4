/**
 * The benchmark's configuration: the only module that reads the environment and the command
 * line. Full mode is the published run (sizes 1,000 / 10,000 / 100,000, about 10 minutes on two
 * cores); quick mode (`--quick` or FERRY_BENCH_QUICK=1) uses small sizes and few repeats so CI
 * can run it in about two minutes and the benchmark cannot rot.
 *
 * | variable / flag | default | meaning |
 * | --- | --- | --- |
 * | FERRY_BENCH_QUICK=1, --quick | off | small sizes, few repeats |
 * | FERRY_BENCH_ONLY, --only=a,b | all | run only these figures: signin, push, reader, jump, sessions, firstload, sort, searchall, counts, store, resume, conversations |
 * | FERRY_BENCH_OUT, --out=FILE | bench-results/latest.json | where the JSON goes (relative to the repo root) |
 * | FERRY_CHROMIUM | /usr/bin/chromium | the Chromium binary (Playwright cannot download one here) |
 * | FERRY_BENCH_SESSIONS=0,100,1000 | by mode | the idle-session counts of figure 5 |
 * | FERRY_BENCH_KEEP=1 | off | keep the mail server's temp dir (logs) after the run |
 * | FERRY_BENCH_BRIDGE_LOG=FILE | off | append every line the bridges print to FILE, each after its pid (read by stack/bridge.ts) |
 * | FERRY_BENCH_BRIDGE_LOG_LEVEL | info | the bridges' FERRY_LOG_LEVEL (debug shows NOTIFY, reconnects, each request) |
 * | FERRY_BENCH_WEB_DIR | web/out | the built web app the bridge serves (a private build to compare against) |
 * | FERRY_BENCH_BRIDGE | bridge/dist/main.js | the built bridge the figures start |
 * | FERRY_BENCH_PROFILE_DIR | bench-results/profiles | where FERRY_BENCH_PROFILE=1 writes |
 * | FERRY_BENCH_PROFILE=1 | off | also write profiles to bench-results/profiles/: the bridges' V8 CPU profiles, Chromium traces of one run of each browser figure, a heap snapshot of the bridge holding the most sessions |
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const FIGURES = [
  "signin",
  "push",
  "reader",
  "jump",
  "sessions",
  "firstload",
  "sort",
  "searchall",
  "counts",
  "store",
  "resume",
  "conversations",
] as const;
export type FigureName = (typeof FIGURES)[number];

export interface BenchConfig {
  quick: boolean;
  /** Repository root (where bridge/, web/ and bench-results/ live). */
  root: string;
  /** The built web app (index.html and its assets). */
  webDir: string;
  /** The built bridge's entry point. */
  bridgeMain: string;
  out: string;
  chromium: string;
  keepMailDir: boolean;
  /** Where a browser figure that fails leaves a screenshot and the page's text. */
  failureDir: string;
  /** Where profiles and traces go (FERRY_BENCH_PROFILE=1), or null. */
  profileDir: string | null;
  only: ReadonlySet<FigureName>;
  /** INBOX sizes of the sign-in figure; the largest one is also the jump figure's. */
  sizes: number[];
  /** Repeats of each sign-in, open and jump figure (median, min, max over these). */
  repeats: number;
  /** Deliveries per path (Postfix, LMTP) for the push figure. */
  deliveries: number;
  /** Signed-in session counts of the idle-sessions figure, ascending, starting at 0. */
  sessions: number[];
  /** At most this many sessions per fixture user (each holds 2 IMAP connections). */
  sessionsPerUser: number;
  /** Messages seeded into each idle-session user's INBOX. */
  idleInbox: number;
  /** Size of the big attachment of the reader figure, in bytes. */
  attachmentBytes: number;
  /** Downloads of that attachment (bridge and floor each). */
  downloads: number;
}

const BOOL = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["", "0", "1", "true", "false", "yes", "no"].includes(v), {
    message: "must be 1 or 0",
  })
  .transform((v) => v === "1" || v === "true" || v === "yes");

const ZEnv = z.object({
  FERRY_BENCH_QUICK: BOOL.optional(),
  FERRY_BENCH_ONLY: z.string().optional(),
  FERRY_BENCH_OUT: z.string().trim().min(1).optional(),
  FERRY_BENCH_KEEP: BOOL.optional(),
  FERRY_BENCH_PROFILE: BOOL.optional(),
  FERRY_BENCH_PROFILE_DIR: z.string().min(1).optional(),
  FERRY_BENCH_WEB_DIR: z.string().min(1).optional(),
  FERRY_BENCH_BRIDGE: z.string().min(1).optional(),
  FERRY_CHROMIUM: z.string().trim().min(1).optional(),
  FERRY_BENCH_SESSIONS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, { message: "must be a comma list of whole numbers" })
    .transform((s) => [...new Set([0, ...s.split(",").map(Number)])].sort((a, b) => a - b))
    .optional(),
});

const ZFigureList = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim().toLowerCase()))
  .pipe(z.array(z.enum(FIGURES, { message: `figures are ${FIGURES.join(", ")}` })).min(1));

/** Thrown for a bad flag or variable; the message lists every problem. */
export class BenchConfigError extends Error {
  override readonly name = "BenchConfigError";
}

function parseArgs(argv: readonly string[]): { quick?: boolean; only?: string; out?: string } {
  const args: { quick?: boolean; only?: string; out?: string } = {};
  const problems: string[] = [];
  for (const arg of argv) {
    if (arg === "--") continue;
    if (arg === "--quick") args.quick = true;
    else if (arg.startsWith("--only=")) args.only = arg.slice("--only=".length);
    else if (arg.startsWith("--out=")) args.out = arg.slice("--out=".length);
    else problems.push(`unknown argument ${arg} (use --quick, --only=a,b, --out=FILE)`);
  }
  if (problems.length > 0) throw new BenchConfigError(problems.join("\n"));
  return args;
}

export function loadBenchConfig(
  env: Record<string, string | undefined> = process.env,
  argv: readonly string[] = process.argv.slice(2),
): BenchConfig {
  const parsed = ZEnv.safeParse(env);
  if (!parsed.success) {
    throw new BenchConfigError(
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"),
    );
  }
  const e = parsed.data;
  const args = parseArgs(argv);
  const onlyText = args.only ?? e.FERRY_BENCH_ONLY;
  let only: ReadonlySet<FigureName> = new Set(FIGURES);
  if (onlyText !== undefined && onlyText.trim() !== "") {
    const list = ZFigureList.safeParse(onlyText);
    if (!list.success) {
      throw new BenchConfigError(`--only: ${list.error.issues[0]?.message ?? "bad list"}`);
    }
    only = new Set(list.data);
  }
  const quick = args.quick ?? e.FERRY_BENCH_QUICK ?? false;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const outText = args.out ?? e.FERRY_BENCH_OUT ?? "bench-results/latest.json";
  const common = {
    quick,
    root,
    webDir: resolve(root, e.FERRY_BENCH_WEB_DIR ?? "web/out"),
    bridgeMain: resolve(root, e.FERRY_BENCH_BRIDGE ?? "bridge/dist/main.js"),
    out: isAbsolute(outText) ? outText : resolve(root, outText),
    chromium: e.FERRY_CHROMIUM ?? "/usr/bin/chromium",
    keepMailDir: e.FERRY_BENCH_KEEP ?? false,
    failureDir: resolve(root, "bench-results", "failures"),
    profileDir: e.FERRY_BENCH_PROFILE
      ? resolve(root, e.FERRY_BENCH_PROFILE_DIR ?? "bench-results/profiles")
      : null,
    only,
    attachmentBytes: 20 * 1024 * 1024,
    sessionsPerUser: 250,
  };
  const chosen = quick
    ? {
        ...common,
        sizes: [1_000, 10_000],
        repeats: 3,
        deliveries: 5,
        sessions: [0, 10, 50],
        idleInbox: 100,
        downloads: 2,
      }
    : {
        ...common,
        sizes: [1_000, 10_000, 100_000],
        repeats: 7,
        deliveries: 20,
        sessions: [0, 100, 1_000],
        idleInbox: 1_000,
        downloads: 5,
      };
  return e.FERRY_BENCH_SESSIONS ? { ...chosen, sessions: e.FERRY_BENCH_SESSIONS } : chosen;
}
