/** `haulbox user …` and `haulbox token …`: manage accounts from the shell (e.g. when locked out, or for automation). */
import { Auth } from "../auth/service";
import { isRole, ROLES } from "../auth/roles";
import { UserInputError } from "../auth/users";
import type { Command } from "./index";
import { openConfiguredDatabase, parseCommonArgs, type CommonArgValues } from "./args";
import { readNewPassword } from "./prompt";

const ROLE_LIST = ROLES.join(", ");

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

function when(at: number | null): string {
  return at ? new Date(at).toISOString().replace("T", " ").slice(0, 16) + "Z" : "never";
}

/** Opens the configured database and an Auth service over it; `close()` when done. */
async function openAuth(values: CommonArgValues) {
  const opened = await openConfiguredDatabase(values);
  const auth = new Auth(opened.db, () => opened.config);
  return { auth, close: () => opened.db.close() };
}

export const userCommand: Command = {
  summary: "Add users, change passwords, list users",
  usage: [
    "haulbox user add NAME --role ROLE   (password typed twice, or the first line of stdin)",
    "       haulbox user passwd NAME           (same; ends the user's sessions)",
    "       haulbox user list",
    `Roles: ${ROLE_LIST}. Every form also takes --config FILE and --data-dir DIR.`,
  ].join("\n"),
  async run(args) {
    const { values, positionals } = parseCommonArgs(args, { role: { type: "string" } });
    const [action, name] = positionals;
    if (action === "list") {
      const { auth, close } = await openAuth(values);
      try {
        const users = auth.users.list();
        if (!users.length) console.log("no users yet: open the setup link printed at start, or run `haulbox user add NAME --role owner`");
        else console.log(table([["USER", "ROLE", "STATUS", "LAST LOGIN"], ...users.map((u) => [u.username, u.role, u.disabled ? "disabled" : "active", when(u.last_login_at)])]));
        return 0;
      } finally {
        close();
      }
    }
    if ((action !== "add" && action !== "passwd") || !name) {
      console.error(`usage: ${this.usage}`);
      return 2;
    }
    const role = values.role as string | undefined;
    if (action === "add" && !isRole(role)) {
      console.error(`haulbox user add: --role must be one of ${ROLE_LIST}`);
      return 2;
    }
    const { auth, close } = await openAuth(values);
    try {
      if (action === "passwd" && !auth.users.byName(name)) {
        console.error(`haulbox user passwd: no user named ${name}`);
        return 1;
      }
      const password = await readNewPassword();
      if (action === "add") {
        const user = await auth.users.create(name, password, role as (typeof ROLES)[number]);
        auth.audit.record("user_created", { actor: "cli", target: user.username, details: { role: user.role } });
        console.log(`user ${user.username} added as ${user.role}`);
      } else {
        const user = auth.users.byName(name)!;
        await auth.users.setPassword(user.id, password);
        const ended = auth.sessions.destroyForUser(user.id);
        auth.audit.record("password_changed", { actor: "cli", target: user.username, details: { sessions_ended: ended } });
        console.log(`password of ${user.username} changed; ${ended} session(s) ended`);
      }
      return 0;
    } catch (error) {
      if (error instanceof UserInputError) {
        console.error(`haulbox user ${action}: ${error.message}`);
        return 1;
      }
      throw error;
    } finally {
      close();
    }
  },
};

export const tokenCommand: Command = {
  summary: "Create, list and revoke API tokens",
  usage: [
    "haulbox token create --name NAME --role ROLE   (prints only the token)",
    "       haulbox token list",
    "       haulbox token revoke ID",
    `Roles: ${ROLE_LIST}. Every form also takes --config FILE and --data-dir DIR.`,
  ].join("\n"),
  async run(args) {
    const { values, positionals } = parseCommonArgs(args, { name: { type: "string" }, role: { type: "string" } });
    const [action, id] = positionals;
    if (action === "create") {
      if (!values.name || !isRole(values.role)) {
        console.error(`haulbox token create: needs --name NAME and --role (${ROLE_LIST})`);
        return 2;
      }
      const { auth, close } = await openAuth(values);
      try {
        const { token, record } = auth.tokens.create(String(values.name), values.role, null);
        auth.audit.record("token_created", { actor: "cli", target: `${record.name} (${record.role})` });
        console.log(token);
        return 0;
      } catch (error) {
        if (error instanceof UserInputError) {
          console.error(`haulbox token create: ${error.message}`);
          return 1;
        }
        throw error;
      } finally {
        close();
      }
    }
    if (action === "list") {
      const { auth, close } = await openAuth(values);
      try {
        const tokens = auth.tokens.list();
        if (!tokens.length) console.log("no API tokens");
        else console.log(table([["ID", "NAME", "ROLE", "STARTS WITH", "CREATED", "LAST USED", "STATUS"], ...tokens.map((tk) => [String(tk.id), tk.name, tk.role, tk.prefix + "…", when(tk.created_at), when(tk.last_used_at), tk.revoked_at ? "revoked" : "active"])]));
        return 0;
      } finally {
        close();
      }
    }
    if (action === "revoke" && id && /^\d+$/.test(id)) {
      const { auth, close } = await openAuth(values);
      try {
        const record = auth.tokens.byId(Number(id));
        if (!record || !auth.tokens.revoke(record.id)) {
          console.error(`haulbox token revoke: no active token with id ${id}`);
          return 1;
        }
        auth.audit.record("token_revoked", { actor: "cli", target: record.name });
        console.log(`token ${record.name} revoked`);
        return 0;
      } finally {
        close();
      }
    }
    console.error(`usage: ${this.usage}`);
    return 2;
  },
};
