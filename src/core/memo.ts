// Answers of pure WebCrypto operations (a signature verification, a digest) remembered by the exact input
// they answer, as a string key the caller builds. One map per WebCrypto object, so that a test's own provider
// or another runtime never sees another's answers; at most `max` entries each, the oldest going first.
export class WebCryptoMemo<V> {
  readonly #maps = new WeakMap<SubtleCrypto, Map<string, V>>();

  constructor(private readonly max: number) {}

  get(subtle: SubtleCrypto, key: string): V | undefined {
    return this.#maps.get(subtle)?.get(key);
  }

  set(subtle: SubtleCrypto, key: string, value: V): void {
    let map = this.#maps.get(subtle);
    if (!map) this.#maps.set(subtle, (map = new Map()));
    if (map.size >= this.max) map.delete(map.keys().next().value!);
    map.set(key, value);
  }
}
