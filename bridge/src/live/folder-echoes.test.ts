import { describe, expect, it } from "vitest";
import { FolderEchoes } from "./folder-echoes";

describe("FolderEchoes", () => {
  const at = (clock: { t: number }) => new FolderEchoes(5_000, () => clock.t);

  it("takes a report of folders changed through Ferry, within the window, for an echo", () => {
    const clock = { t: 1_000 };
    const echoes = at(clock);
    echoes.expect(["Trips", "Trips/2025"]);
    clock.t += 4_999;
    expect(echoes.isEcho(["Trips"])).toBe(true);
    expect(echoes.isEcho(["Trips/2025", "Trips"])).toBe(true);
    clock.t += 1;
    expect(echoes.isEcho(["Trips"])).toBe(false);
  });

  it("announces a report that names any folder Ferry did not change, or none", () => {
    const echoes = at({ t: 0 });
    echoes.expect(["Trips"]);
    expect(echoes.isEcho(["Trips", "Receipts"])).toBe(false);
    expect(echoes.isEcho(["Receipts"])).toBe(false);
    expect(echoes.isEcho([])).toBe(false);
  });
});
