/**
 * The line under a settings form saying how its last save went: announced politely when it
 * went well, as an alert when it failed.
 */

export interface FormStatus {
  tone: "info" | "error";
  text: string;
}

export function FormStatusLine({ status }: { status: FormStatus | null }) {
  if (!status) return null;
  return (
    <p
      role={status.tone === "error" ? "alert" : "status"}
      className={`text-sm ${status.tone === "error" ? "text-red-700 dark:text-red-300" : "text-zinc-600 dark:text-zinc-300"}`}
    >
      {status.text}
    </p>
  );
}
