/**
 * Whether a key press is typing: its target is a text field, a select or editable content (a
 * checkbox, radio or button is not). The single-key shortcuts (hooks/use-shortcuts.ts,
 * hooks/use-compose-shortcuts.ts) leave such key presses alone.
 */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return type !== "checkbox" && type !== "radio" && type !== "button";
  }
  return false;
}
