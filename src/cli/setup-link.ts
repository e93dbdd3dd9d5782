/**
 * `haulbox setup-link`: while no owner account exists, issues a fresh one-time setup token in the
 * database and prints the link to open (`<public_url or listen address>/setup?token=…`). Only the
 * token's hash is stored, in the same settings row the running server reads, so the link works for a
 * Haulbox that is already running; any link printed earlier stops working. Once an owner exists it
 * says so and prints no link (exit 0 either way). install.sh runs it to show the link after starting
 * the service; an admin who lost the link runs it too.
 *
 * stdout carries the link alone (one line, for scripts); the sentences around it go to stderr.
 */
import type { Command } from "./index";
import { Auth } from "../auth/service";
import { parseListen } from "../config/formats";
import { baseUrl } from "../server";
import { openConfiguredDatabase, parseCommonArgs } from "./args";

export const setupLinkCommand: Command = {
  summary: "Print a fresh one-time link to create the owner account (none once an owner exists)",
  usage: [
    "haulbox setup-link [--config FILE] [--data-dir DIR] [--listen HOST:PORT]",
    "",
    "Run it as the user Haulbox runs as (sudo -u haulbox haulbox setup-link --config /etc/haulbox/haulbox.yaml",
    "on a server installed by install.sh). The link uses public_url when it is set, else the listen address.",
    "A new link replaces any earlier one; after the owner account exists, none is printed.",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommonArgs(args);
    const opened = await openConfiguredDatabase(values);
    try {
      const { config } = opened;
      const listen = parseListen(config.listen)!;
      const url = baseUrl(config.public_url, listen.host, listen.port);
      const token = new Auth(opened.db, () => config).issueSetupToken();
      if (!token) {
        console.error(`An owner account already exists, so there is no setup link. Log in at ${url}/login (a forgotten password: haulbox user passwd NAME).`);
        return 0;
      }
      console.error("Open this link once to create the owner account (any earlier setup link no longer works):");
      console.log(`${url}/setup?token=${token}`);
      return 0;
    } finally {
      opened.db.close();
    }
  },
};
