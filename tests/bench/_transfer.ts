/**
 * Sections 3 and 4: streamed upload and download through Bay against plain
 * loopback HTTP (`_loopback.ts`), with every download's SHA-256 checked
 * against the payload's, and Bay's resident memory sampled around its
 * transfers of a small and a large file.
 *
 * @module
 */
import type { BayClient } from "./_client.ts";
import type { Loopback } from "./_loopback.ts";
import { drainHashing, payloadSha256, payloadStream } from "./_payload.ts";
import { procStatusBytes, type RssPeak, sampleRss } from "./_rss.ts";

const MiB = 1024 * 1024;

/** Seconds per transfer, by path and direction. */
export interface TransferSamples {
  bay_upload_s: number[];
  bay_download_s: number[];
  direct_upload_s: number[];
  direct_download_s: number[];
}

/** What the transfer section measured. */
export interface TransferResult {
  size_bytes: number;
  small_size_bytes: number;
  sha256: string;
  /** Every download's digest matched the payload's. */
  hashes_ok: boolean;
  big: TransferSamples;
  small: Pick<TransferSamples, "bay_upload_s" | "bay_download_s">;
  rss: { baseline: number; small: RssPeak; big: RssPeak };
}

/** One transfer leg, timed; the downloaded bytes are hashed as they arrive. */
class Legs {
  hashesOk = true;
  #digests = new Map<number, string>();
  constructor(readonly client: BayClient, readonly sandbox: string, readonly loop: Loopback) {}

  digest(size: number): string {
    let d = this.#digests.get(size);
    if (!d) this.#digests.set(size, d = payloadSha256(size));
    return d;
  }

  async #time(fn: () => Promise<void>): Promise<number> {
    const t0 = performance.now();
    await fn();
    return (performance.now() - t0) / 1000;
  }

  #check(what: string, size: number, got: { bytes: number; sha256: string }): void {
    if (got.bytes !== size || got.sha256 !== this.digest(size)) {
      this.hashesOk = false;
      throw new Error(`${what}: got ${got.bytes} bytes sha256 ${got.sha256}`);
    }
  }

  bayUpload(size: number): Promise<number> {
    return this.#time(async () => {
      const r = await this.client.upload(
        this.sandbox,
        `bench-${size}.bin`,
        payloadStream(size),
        size,
      );
      if (r.size !== size) throw new Error(`Bay stored ${r.size} of ${size} bytes`);
    });
  }

  bayDownload(size: number): Promise<number> {
    return this.#time(async () => {
      const res = await this.client.download(this.sandbox, `bench-${size}.bin`);
      this.#check("Bay download", size, await drainHashing(res.body!));
    });
  }

  directUpload(size: number): Promise<number> {
    return this.#time(async () => {
      const n = await this.loop.upload(`bench-${size}.bin`, payloadStream(size), size);
      if (n !== size) throw new Error(`loopback stored ${n} of ${size} bytes`);
    });
  }

  directDownload(size: number): Promise<number> {
    return this.#time(async () => {
      const res = await this.loop.download(`bench-${size}.bin`);
      this.#check("loopback download", size, await drainHashing(res.body!));
    });
  }
}

/**
 * Warm up with 1 MiB, read Bay's baseline RSS, then `reps` × (upload,
 * download) of `smallSize` through Bay under the RSS sampler, then `reps` ×
 * (Bay upload, loopback upload, Bay download, loopback download) of `size`
 * under the sampler.
 */
export async function measureTransfer(
  client: BayClient,
  sandbox: string,
  loop: Loopback,
  bayPid: number,
  opts: { size: number; smallSize: number; reps: number },
): Promise<TransferResult> {
  const legs = new Legs(client, sandbox, loop);
  legs.digest(opts.size); // computed before any timing
  legs.digest(opts.smallSize);
  for (let i = 0; i < 2; i++) {
    await legs.bayUpload(MiB);
    await legs.bayDownload(MiB);
    await legs.directUpload(MiB);
    await legs.directDownload(MiB);
  }
  await new Promise((r) => setTimeout(r, 500));
  const baseline = await procStatusBytes(bayPid, "VmRSS");

  const small = { bay_upload_s: [] as number[], bay_download_s: [] as number[] };
  let sampler = await sampleRss(bayPid);
  for (let i = 0; i < opts.reps; i++) {
    small.bay_upload_s.push(await legs.bayUpload(opts.smallSize));
    small.bay_download_s.push(await legs.bayDownload(opts.smallSize));
  }
  const smallPeak = await sampler.stop();

  const big: TransferSamples = {
    bay_upload_s: [],
    bay_download_s: [],
    direct_upload_s: [],
    direct_download_s: [],
  };
  sampler = await sampleRss(bayPid);
  for (let i = 0; i < opts.reps; i++) {
    big.bay_upload_s.push(await legs.bayUpload(opts.size));
    big.direct_upload_s.push(await legs.directUpload(opts.size));
    big.bay_download_s.push(await legs.bayDownload(opts.size));
    big.direct_download_s.push(await legs.directDownload(opts.size));
  }
  const bigPeak = await sampler.stop();
  return {
    size_bytes: opts.size,
    small_size_bytes: opts.smallSize,
    sha256: legs.digest(opts.size),
    hashes_ok: legs.hashesOk,
    big,
    small,
    rss: { baseline, small: smallPeak, big: bigPeak },
  };
}
