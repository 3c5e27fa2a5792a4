/**
 * The composer's own setting: how long a sent message waits for Undo (0–30 s, default 10). It
 * is one of the user's settings that the bridge keeps per account (lib/settings.ts), so it
 * follows the user to every browser and changes in every open tab at once.
 */
import { MAX_SEND_DELAY_SECONDS } from "@ferry/protocol";
import { saveSettings, useSettings } from "../settings";

/** The choices the settings offer. */
export const SEND_DELAY_CHOICES = [0, 5, 10, 20, 30] as const;

function clamp(n: number): number {
  return Math.max(0, Math.min(MAX_SEND_DELAY_SECONDS, Math.round(n)));
}

/** Saves the undo-send delay for the account (every browser and tab). */
export function setSendDelay(seconds: number): Promise<unknown> {
  return saveSettings({ undoSeconds: clamp(seconds) });
}

export function useSendDelay(): number {
  return useSettings().undoSeconds;
}
