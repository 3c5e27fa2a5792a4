/**
 * An idb-keyval store whose connection closes itself when another page or this one wants the
 * database gone or upgraded (`versionchange`), and opens again on next use. idb-keyval's own
 * `createStore` keeps its connection for the page's life, so a sign-out's `deleteDatabase` of
 * that database would wait on it for as long as the page lives.
 */
import type { UseStore } from "idb-keyval";

export function closingStore(database: string, storeName: string): UseStore {
  let connection: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    connection ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(database);
      req.onupgradeneeded = () => req.result.createObjectStore(storeName);
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => {
          db.close();
          connection = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        connection = null;
        reject(req.error);
      };
    });
    return connection;
  };
  return (mode, callback) =>
    open().then((db) => callback(db.transaction(storeName, mode).objectStore(storeName)));
}
