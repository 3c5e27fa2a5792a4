/**
 * Where the vendored test corpus lives (`packages/mail-server/corpus`, see its README): other
 * projects' real-world, malformed and hostile messages and XSS vectors, kept as data.
 */
import { fileURLToPath } from "node:url";

/** Absolute path of the corpus folder: `enmime/`, `postal-mime/`, `xss/dompurify/`, `xss/h5sc/`. */
export const CORPUS_DIR = fileURLToPath(new URL("../corpus", import.meta.url));
