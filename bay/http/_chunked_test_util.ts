/**
 * Test helper: a byte stream cut into chunks of chosen sizes, for parsers that
 * must not care where chunk boundaries fall.
 *
 * @module
 */

/** `bytes` as a pull stream whose chunk sizes cycle through `sizes`; `onCancel` observes cancellation. */
export function chunked(
  bytes: Uint8Array,
  sizes: number[],
  onCancel?: () => void,
): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (at >= bytes.length) return ctrl.close();
      const n = sizes[i++ % sizes.length];
      ctrl.enqueue(bytes.slice(at, at + n));
      at += n;
    },
    cancel: onCancel,
  }, { highWaterMark: 0 });
}
