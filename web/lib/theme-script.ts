/**
 * The script that applies the saved or system colour scheme (lib/theme.ts keeps the choice)
 * before the first paint. It is inline in the page's <head> (app/layout.tsx), so a reload's
 * parser runs it without fetching anything (the bridge's CSP lists the hash of each inline script
 * of the page).
 *
 * Plain JavaScript in a string, as the browser runs it: nothing here is compiled.
 */

/** localStorage key of the user's choice ("light" or "dark"; absent: follow the system). */
export const THEME_KEY = "ferry.theme";

export const THEME_SCRIPT = `(() => {
  let dark = false;
  try {
    const saved = localStorage.getItem("${THEME_KEY}");
    dark =
      saved === "dark" ||
      (saved !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  } catch (_) {
    dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.style.colorScheme = dark ? "dark" : "light";
})();`;
