/**
 * Where the vendored test corpus lives (`packages/mail-server/corpus`, see its README): other
 * projects' real-world, malformed and hostile messages and XSS vectors, kept as data.
 */
import { join } from "node:path";

/** Absolute path of the corpus folder: `enmime/`, `postal-mime/`, `xss/dompurify/`, `xss/h5sc/`. */
export const CORPUS_DIR = join(import.meta.dirname, "..", "corpus");
