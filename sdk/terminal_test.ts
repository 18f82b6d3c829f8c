import assert from "node:assert/strict";
import { bayTest, withBay } from "./_test_bay.ts";
import { ConnectionError, NotFoundError } from "./mod.ts";

bayTest("terminal: type, resize, read output; `exit 3` resolves exited with 3", async () => {
  await withBay({ serve: true }, async ({ client }) => {
    const bay = client();
    const sb = await bay.createSandbox();
    const term = await sb.openTerminal({ cols: 100, rows: 30 });
    let screen = "";
    const dec = new TextDecoder();
    const waitFor = async (re: RegExp, ms = 10_000) => {
      const end = Date.now() + ms;
      while (!re.test(screen)) {
        if (Date.now() > end) throw new Error(`no ${re} on screen:\n${screen}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    term.onData((b) => screen += dec.decode(b, { stream: true }));
    term.write("stty size; echo mark-$((40 + 2))\n");
    await waitFor(/30 100[\s\S]*mark-42/);
    term.resize(120, 40);
    await new Promise((r) => setTimeout(r, 200));
    term.write(new TextEncoder().encode("stty size\n"));
    await waitFor(/40 120/);
    term.write("exit 3\n");
    assert.equal(await term.exited, 3);
    assert.throws(() => term.write("x"), ConnectionError);

    const second = await sb.openTerminal();
    second.close();
    assert.equal(await second.exited, null, "closed by the client before any exit status");

    const ticket = await sb.terminalTicket();
    assert.match(ticket.ticket, /^tt-/);
    assert.equal(ticket.expires_in, 60);
    await assert.rejects(
      async () => await (await bay.getSandbox("sandbox-000000000000")).openTerminal(),
      NotFoundError,
    );
  });
});
