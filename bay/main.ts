/**
 * `deno task start`: parse the config once, start Bay, print the generated
 * key on first start, stop cleanly on SIGINT/SIGTERM. `deno task keys`
 * manages API keys (see cli.ts).
 *
 * @module
 */
import { loadConfig } from "./config/load.ts";
import { startBay } from "./server.ts";

const loaded = loadConfig(Deno.env.toObject());
if (!loaded.ok) {
  console.error("Bay configuration is invalid:");
  for (const e of loaded.errors) console.error(`  - ${e}`);
  Deno.exit(2);
}
const config = loaded.config;
const bay = await startBay(config);
console.log(`Bay listening on ${bay.url} (driver ${config.driver}, data ${config.dataDir})`);
if (bay.generatedKey) {
  console.log("");
  console.log("  A new admin API key was generated. It is shown only this once:");
  console.log("");
  console.log(`    ${bay.generatedKey}`);
  console.log("");
  console.log(`  (also saved with mode 0600 in ${bay.credentialsFile})`);
  console.log("");
}
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("Bay stopping");
  await bay.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
