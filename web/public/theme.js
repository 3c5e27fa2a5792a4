// Applies the saved or system colour scheme before the first paint (loaded blocking from <head>;
// an external file because the CSP allows no inline script).
(() => {
  let dark = false;
  try {
    const saved = localStorage.getItem("ferry.theme");
    dark =
      saved === "dark" ||
      (saved !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  } catch (_) {
    dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.style.colorScheme = dark ? "dark" : "light";
})();
