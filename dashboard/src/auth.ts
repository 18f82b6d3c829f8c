/** The API key of this browser tab, kept in sessionStorage (gone when the tab closes). */
const KEY = "shipyard-neo.api-key";

export function getApiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearApiKey(): void {
  sessionStorage.removeItem(KEY);
}
