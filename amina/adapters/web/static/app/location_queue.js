// The reports waiting to be sent, kept in IndexedDB so that they survive a closed app, a lost
// network and a restarted phone. A report is written here BEFORE it is sent, and removed only
// when the server has answered that it is stored ("accepted" or "duplicate"): a report is made
// once, with its client id, and re-sent unchanged until then (docs/app-reporting.md).
//
// Each item belongs to one person: a phone signed in by someone else never sends them.

const DATABASE = "amina-reporting";
const VERSION = 1;
const WAITING = "waiting"; // reports and device-status records still to be sent
const REFUSED = "refused"; // reports the server rejected: kept only to be shown
const KEEP_REFUSED = 50;

let opening = null;

function request(operation) {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error);
  });
}

function open() {
  opening =
    opening ||
    new Promise((resolve, reject) => {
      const asked = indexedDB.open(DATABASE, VERSION);
      asked.onupgradeneeded = () => {
        const db = asked.result;
        const waiting = db.createObjectStore(WAITING, { keyPath: "id" });
        waiting.createIndex("person", "person_id");
        const refused = db.createObjectStore(REFUSED, { keyPath: "id" });
        refused.createIndex("person", "person_id");
      };
      asked.onsuccess = () => resolve(asked.result);
      asked.onerror = () => {
        opening = null;
        reject(asked.error);
      };
    });
  return opening;
}

async function transaction(stores, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
    Promise.resolve(work(tx)).then((value) => {
      result = value;
    }, reject);
  });
}

function byPerson(tx, store, personId) {
  return request(tx.objectStore(store).index("person").getAll(personId));
}

/** Keep `item` ({id, kind: "report"|"status", person_id, body, queued_at}) until it is stored. */
export function keep(item) {
  return transaction([WAITING], "readwrite", (tx) => request(tx.objectStore(WAITING).put(item)));
}

/** The person's waiting items, oldest first. */
export async function waiting(personId) {
  const items = await transaction([WAITING], "readonly", (tx) => byPerson(tx, WAITING, personId));
  return items.sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

/** Forget items the server has stored; move refused ones ({item, error}) aside, to be shown. */
export function settle(storedIds, refusals) {
  return transaction([WAITING, REFUSED], "readwrite", async (tx) => {
    const queue = tx.objectStore(WAITING);
    const refusedStore = tx.objectStore(REFUSED);
    for (const id of storedIds) queue.delete(id);
    for (const { item, error } of refusals) {
      queue.delete(item.id);
      refusedStore.put({ ...item, error, refused_at: new Date().toISOString() });
    }
    const kept = await request(refusedStore.getAll());
    kept.sort((a, b) => b.refused_at.localeCompare(a.refused_at));
    for (const old of kept.slice(KEEP_REFUSED)) refusedStore.delete(old.id);
  });
}

/** The person's refused reports, newest first. */
export async function refused(personId) {
  const items = await transaction([REFUSED], "readonly", (tx) => byPerson(tx, REFUSED, personId));
  return items.sort((a, b) => b.refused_at.localeCompare(a.refused_at));
}

/**
 * Forget what belongs to anyone but `personId`: their device credential is gone from this
 * phone, so it could never be sent, and it must not stay here either.
 */
export function forgetOthers(personId) {
  return transaction([WAITING, REFUSED], "readwrite", async (tx) => {
    for (const name of [WAITING, REFUSED]) {
      const store = tx.objectStore(name);
      const keys = await request(store.getAllKeys());
      const items = await request(store.getAll());
      items.forEach((item, index) => {
        if (item.person_id !== personId) store.delete(keys[index]);
      });
    }
  });
}
