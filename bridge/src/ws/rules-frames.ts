/**
 * Answers the rules frames (packages/protocol rules.ts): filters and the vacation reply through
 * the RulesService (ManageSieve), "apply to existing mail", report spam / not spam and
 * unsubscribe over the session's IMAP connection. Each answer is typed by the protocol's REPLIES.
 */
import {
  FERRY_SCRIPT_NAME,
  type TReplyFrameOf,
  type TRulesClientFrame,
  type TServerFrame,
} from "@ferry/protocol";
import { BridgeError } from "../errors";
import { readUnsubscribeHeaders, type UnsubscribeOptions, unsubscribe } from "../http/unsubscribe";
import { applyRule, markSpam, searchRule } from "../imap/rule-actions";
import type { LiveSession } from "../session/live";
import type { RulesService } from "../sieve/service";

export interface RulesFrameDeps {
  service: RulesService;
  /** How one-click unsubscribe POSTs reach the web (the image proxy's host policy). */
  unsubscribe: UnsubscribeOptions;
}

export interface RulesFrameContext {
  live: LiveSession;
  reply: (frame: TServerFrame) => void;
  /** The caller opened this mailbox read-only. */
  readOnly: (mailbox: string) => boolean;
}

export async function answerRulesFrame(
  frame: TRulesClientFrame,
  ctx: RulesFrameContext,
  deps: RulesFrameDeps,
): Promise<void> {
  const { live } = ctx;
  const answer = <F extends TRulesClientFrame>(_request: F, out: TReplyFrameOf<F["type"]>) =>
    ctx.reply(out);
  switch (frame.type) {
    case "rules.get": {
      const state = await deps.service.get(live.key);
      answer(frame, { type: "rules", id: frame.id, ...state });
      return;
    }
    case "rules.save": {
      const state = await deps.service.save(live.key, live.email, {
        rules: frame.rules,
        vacation: frame.vacation,
      });
      answer(frame, { type: "rules", id: frame.id, ...state });
      return;
    }
    case "rules.activate": {
      const name = frame.use.kind === "ferry" ? FERRY_SCRIPT_NAME : frame.use.name;
      const state = await deps.service.activate(live.key, name);
      answer(frame, { type: "rules", id: frame.id, ...state });
      return;
    }
    case "rules.apply": {
      const { rule, mailbox, uids } = frame;
      const found = await live.mail.run((client) => searchRule(client, mailbox, rule));
      if (uids === undefined) {
        answer(frame, { type: "rules.applied", id: frame.id, ...found, applied: false });
        return;
      }
      // only UIDs the rule matches now are acted on
      const matching = new Set(found.uids);
      const chosen = uids.filter((u) => matching.has(u));
      if (chosen.length > 0) {
        const set = { mailbox: found.mailbox, uidValidity: found.uidValidity, uids: chosen };
        await live.mail.run((client) =>
          applyRule(client, set, rule, { readOnly: ctx.readOnly(found.mailbox) }),
        );
      }
      answer(frame, {
        type: "rules.applied",
        id: frame.id,
        mailbox: found.mailbox,
        uidValidity: found.uidValidity,
        uids: chosen,
        truncated: false,
        applied: true,
      });
      return;
    }
    case "messages.spam": {
      const moved = await live.mail.run((client) =>
        markSpam(client, frame.set, frame.verdict, frame.to, {
          readOnly: ctx.readOnly(frame.set.mailbox),
        }),
      );
      answer(frame, { type: "messages.moved", id: frame.id, ...moved });
      return;
    }
    case "unsubscribe": {
      const headers = await live.mail.run((client) => readUnsubscribeHeaders(client, frame.ref));
      const result = await unsubscribe(headers, deps.unsubscribe);
      answer(frame, { type: "unsubscribed", id: frame.id, ...result });
      return;
    }
    default: {
      const unhandled: never = frame;
      void unhandled;
      throw new BridgeError("bad_request", "Unknown frame type.");
    }
  }
}
