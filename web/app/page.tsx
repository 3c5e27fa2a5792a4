import { App } from "@/components/app";

/** The one page: everything else (folder, message, search) lives in the query string. */
export default function Page() {
  return <App />;
}
