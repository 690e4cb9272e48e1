/**
 * Leaves nothing of a citizen in the browser: storage of every kind the page could have used.
 * The UI never writes personal data to storage; this is the guarantee that holds even if some
 * future code (or a library) does.
 */
export async function wipeBrowserStorage(): Promise<void> {
  try {
    localStorage.clear();
  } catch {
    /* storage may be disabled; nothing to clear then */
  }
  try {
    sessionStorage.clear();
  } catch {
    /* as above */
  }
  try {
    const dbs = (await indexedDB.databases?.()) ?? [];
    await Promise.all(
      dbs
        .map((d) => d.name)
        .filter((n): n is string => !!n)
        .map(
          (name) =>
            new Promise<void>((resolve) => {
              const req = indexedDB.deleteDatabase(name);
              req.onsuccess = req.onerror = req.onblocked = () => resolve();
            }),
        ),
    );
  } catch {
    /* indexedDB unavailable */
  }
  try {
    if ('caches' in window) for (const k of await caches.keys()) await caches.delete(k);
  } catch {
    /* Cache API unavailable */
  }
}
