/** @jsxImportSource @kitajs/html */
/** The Settings page: change password for everyone, API tokens for roles that may hold them, users and audit log for the owner. */
import type { Principal } from "../../src/auth/principal";
import type { AuditEntry } from "../../src/auth/audit";
import type { ApiToken } from "../../src/auth/tokens";
import type { User } from "../../src/auth/users";
import { MIN_PASSWORD_LENGTH } from "../../src/auth/users";
import { ROLE_DESCRIPTIONS, ROLES, type Role } from "../../src/auth/roles";
import { CardTable, CsrfField, Flash, Time } from "../components";
import type { ProviderStatus } from "../../src/assistant/providers";

/** A message to show at the top of a settings section after a form post. */
export interface SettingsFlash {
  section: "password" | "tokens" | "users";
  kind: "success" | "error";
  message: string;
  /** A new API token, shown exactly once. */
  newToken?: string;
}

export interface SettingsPageProps {
  principal: Principal;
  users: User[] | null;
  tokens: ApiToken[] | null;
  tokenRoles: Role[];
  audit: AuditEntry[] | null;
  flash?: SettingsFlash;
  /** Who words negotiation plans, the model and its state. */
  assistant: ProviderStatus;
}

function SectionFlash({ flash, section }: { flash?: SettingsFlash; section: SettingsFlash["section"] }) {
  if (!flash || flash.section !== section) return "";
  return (
    <Flash kind={flash.kind}>
      <span safe>{flash.message}</span>
      {flash.newToken ? (
        <p>
          Copy it now — it will not be shown again:
          <br />
          <code class="mono" id="new-token" safe>
            {flash.newToken}
          </code>
        </p>
      ) : (
        ""
      )}
    </Flash>
  );
}

function PasswordSection({ principal, flash }: { principal: Principal; flash?: SettingsFlash }) {
  if (principal.via !== "session") return "";
  return (
    <section class="card" id="password">
      <h2>Change your password</h2>
      <SectionFlash flash={flash} section="password" />
      <form class="stack" method="post" action="/settings/password">
        <CsrfField token={principal.csrfToken} />
        <label>
          Current password
          <input type="password" name="current_password" autocomplete="current-password" required />
        </label>
        <label>
          New password (at least {MIN_PASSWORD_LENGTH} characters)
          <input type="password" name="new_password" autocomplete="new-password" required minlength={String(MIN_PASSWORD_LENGTH)} />
        </label>
        <label>
          New password again
          <input type="password" name="new_password_again" autocomplete="new-password" required />
        </label>
        <div>
          <button type="submit">Change password</button>
        </div>
      </form>
      <p class="muted">Changing your password logs you out everywhere else.</p>
    </section>
  );
}

function TokensSection({ principal, tokens, tokenRoles, users, flash }: { principal: Principal; tokens: ApiToken[]; tokenRoles: Role[]; users: User[] | null; flash?: SettingsFlash }) {
  const ownerOf = (token: ApiToken) => users?.find((u) => u.id === token.user_id)?.username ?? (token.user_id ? `user ${token.user_id}` : "CLI");
  return (
    <section class="card" id="tokens">
      <h2>API tokens</h2>
      <p class="muted">For scripts and integrations: send the header <code>Authorization: Bearer <var>TOKEN</var></code>. A token acts with its role.</p>
      <SectionFlash flash={flash} section="tokens" />
      <CardTable columns={["Name", "Role", "Starts with", Boolean(users) && "Created by", "Created", "Last used", ""]}>
        {tokens.length === 0 ? (
          <tr>
            <td colspan="7" class="muted">
              No tokens yet.
            </td>
          </tr>
        ) : (
          tokens.map((token) => (
            <tr>
              <td data-label="Name" safe>{token.name}</td>
              <td data-label="Role">{token.role}</td>
              <td data-label="Starts with" class="mono" safe>
                {token.prefix + "…"}
              </td>
              {users ? (
                <td data-label="Created by" safe>
                  {ownerOf(token)}
                </td>
              ) : (
                ""
              )}
              <td data-label="Created">
                <Time at={token.created_at} />
              </td>
              <td data-label="Last used">
                <Time at={token.last_used_at} />
              </td>
              <td>
                {token.revoked_at ? (
                  <span class="badge bad">revoked</span>
                ) : (
                  <form class="inline" method="post" action={`/settings/tokens/${token.id}/revoke`}>
                    <CsrfField token={principal.csrfToken} />
                    <button type="submit" class="secondary">
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))
        )}
      </CardTable>
      {tokenRoles.length ? (
        <form class="inline" method="post" action="/settings/tokens" style="margin-top: 1rem">
          <CsrfField token={principal.csrfToken} />
          <label>
            Name
            <input name="name" required maxlength="80" placeholder="e.g. prometheus" />
          </label>
          <label>
            Role
            <select name="role">
              {tokenRoles.map((role) => (
                <option value={role} selected={role === "viewer"}>
                  {role}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Create token</button>
        </form>
      ) : (
        ""
      )}
    </section>
  );
}

function UsersSection({ principal, users, flash }: { principal: Principal; users: User[]; flash?: SettingsFlash }) {
  return (
    <section class="card" id="users">
      <h2>Users</h2>
      <SectionFlash flash={flash} section="users" />
      <CardTable columns={["User", "Role", "Status", "Last login", "Change"]}>
        {users.map((user) => (
          <tr>
            <td data-label="User" safe>
              {user.username}
            </td>
            <td data-label="Role">{user.role}</td>
            <td data-label="Status">{user.disabled ? <span class="badge bad">disabled</span> : <span class="badge ok">active</span>}</td>
            <td data-label="Last login">
              <Time at={user.last_login_at} />
            </td>
            <td data-label="Change">
              <form class="inline" method="post" action={`/settings/users/${user.id}`}>
                <CsrfField token={principal.csrfToken} />
                <select name="role" aria-label={`Role of ${user.username}`}>
                  {ROLES.map((role) => (
                    <option value={role} selected={role === user.role}>
                      {role}
                    </option>
                  ))}
                </select>
                <select name="disabled" aria-label={`Status of ${user.username}`}>
                  <option value="false" selected={!user.disabled}>
                    active
                  </option>
                  <option value="true" selected={user.disabled}>
                    disabled
                  </option>
                </select>
                <button type="submit" class="secondary">
                  Save
                </button>
              </form>
            </td>
          </tr>
        ))}
      </CardTable>
      <h2>Add a user</h2>
      <form class="stack" method="post" action="/settings/users">
        <CsrfField token={principal.csrfToken} />
        <label>
          Username
          <input name="username" required autocomplete="off" />
        </label>
        <label>
          Role
          <select name="role">
            {ROLES.map((role) => (
              <option value={role} selected={role === "dispatcher"}>
                {role} — {ROLE_DESCRIPTIONS[role] as "safe"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Password (at least {MIN_PASSWORD_LENGTH} characters; tell them to change it)
          <input type="password" name="password" required minlength={String(MIN_PASSWORD_LENGTH)} autocomplete="new-password" />
        </label>
        <div>
          <button type="submit">Add user</button>
        </div>
      </form>
    </section>
  );
}

function AuditSection({ audit }: { audit: AuditEntry[] }) {
  return (
    <section class="card" id="audit">
      <h2>Audit log</h2>
      <CardTable columns={["When", "Who", "What", "Target", "From"]}>
        {audit.map((entry) => (
          <tr>
            <td data-label="When">
              <Time at={entry.at} />
            </td>
            <td data-label="Who" safe>
              {entry.actor ?? ""}
            </td>
            <td data-label="What" safe>
              {entry.action.replaceAll("_", " ")}
            </td>
            <td data-label="Target" safe>
              {entry.target ?? ""}
            </td>
            <td data-label="From" safe>
              {entry.ip ?? ""}
            </td>
          </tr>
        ))}
      </CardTable>
    </section>
  );
}

/** The whole Settings body. */
/** The negotiation assistant: which provider words the plans, the model, its state (set in the YAML's assistant: block). */
function AssistantSection({ status }: { status: ProviderStatus }): JSX.Element {
  const provider = { none: "the template (no model)", embedded: "a model run inside the appliance", ollama: "an Ollama server" }[status.name];
  return (
    <section class="card" id="assistant">
      <h2>Negotiation assistant</h2>
      <dl class="facts">
        <dt>Words by</dt>
        <dd safe>{provider}</dd>
        <dt>Model</dt>
        <dd safe>{status.model ?? "—"}</dd>
        <dt>State</dt>
        <dd class={status.ready ? "" : "bad"} safe>
          {status.state}
        </dd>
      </dl>
      <p class="muted small">The figures of every plan are the engine's whatever writes the words. Set the provider in the assistant: block of the config; models/README.md says which models suit.</p>
    </section>
  );
}

export function SettingsPage(props: SettingsPageProps): JSX.Element {
  const { principal, flash } = props;
  return (
    <>
      <h1>Settings</h1>
      <PasswordSection principal={principal} flash={flash} />
      <AssistantSection status={props.assistant} />
      {props.tokens ? <TokensSection principal={principal} tokens={props.tokens} tokenRoles={props.tokenRoles} users={props.users} flash={flash} /> : ""}
      {props.users ? <UsersSection principal={principal} users={props.users} flash={flash} /> : ""}
      {props.audit ? <AuditSection audit={props.audit} /> : ""}
    </>
  );
}
