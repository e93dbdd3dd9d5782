/** @jsxImportSource @kitajs/html */
/**
 * Entering a load a broker phoned in: the places are geocoded offline (a place the gazetteer does
 * not know is refused with the reason, never guessed), and the load is scored for every truck as
 * soon as it is stored. On an error the form comes back with what was typed.
 */
import { EQUIPMENT, EQUIPMENT_CODES } from "../../src/loads/records";
import { CsrfField, Flash } from "../components";

export interface NewLoadProps {
  csrfToken: string | undefined;
  form: Record<string, string>;
  error?: string;
  timeZone: string;
}

export function NewLoadPage(props: NewLoadProps): JSX.Element {
  const value = (name: string) => props.form[name] ?? "";
  const text = (name: string, label: string, attrs: Record<string, string> = {}) => (
    <label>
      {label as "safe"}
      <input name={name} value={value(name)} {...attrs} />
    </label>
  );
  return (
    <>
      <p class="muted">
        <a href="/loads">← Loads</a>
      </p>
      <h1>Enter a load</h1>
      <p class="muted small" safe>{`A load a broker phoned or e-mailed in. Times are in ${props.timeZone}. Give a city and state or a ZIP for each end.`}</p>
      {props.error ? (
        <Flash kind="error">
          <span safe>{props.error}</span>
        </Flash>
      ) : (
        ""
      )}
      <form class="card form-grid" method="post" action="/loads/new">
        <CsrfField token={props.csrfToken} />
        <fieldset>
          <legend>Pickup</legend>
          {text("origin_city", "City")}
          {text("origin_state", "State", { maxlength: "2", placeholder: "IL", autocapitalize: "characters" })}
          {text("origin_zip", "ZIP", { inputmode: "numeric", maxlength: "5" })}
          {text("pickup_at", "Earliest pickup", { type: "datetime-local", required: "" })}
          {text("pickup_latest", "Latest pickup", { type: "datetime-local" })}
        </fieldset>
        <fieldset>
          <legend>Delivery</legend>
          {text("dest_city", "City")}
          {text("dest_state", "State", { maxlength: "2", placeholder: "TX", autocapitalize: "characters" })}
          {text("dest_zip", "ZIP", { inputmode: "numeric", maxlength: "5" })}
          {text("delivery_at", "Delivery", { type: "datetime-local" })}
        </fieldset>
        <fieldset>
          <legend>Freight and money</legend>
          <label>
            Equipment
            <select name="equipment">
              {EQUIPMENT_CODES.map((code) => (
                <option value={code} selected={code === (value("equipment") || "V")} safe>
                  {`${code} — ${EQUIPMENT[code]}`}
                </option>
              ))}
            </select>
          </label>
          {text("weight_lb", "Weight (lb)", { inputmode: "numeric" })}
          {text("rate", "Rate ($, all-in)", { inputmode: "decimal", placeholder: "1,850" })}
          {text("loaded_miles", "Loaded miles", { inputmode: "decimal" })}
          {text("commodity", "Commodity")}
        </fieldset>
        <fieldset>
          <legend>Broker</legend>
          {text("broker_name", "Name", { required: "" })}
          {text("broker_mc", "MC number", { inputmode: "numeric" })}
          {text("broker_phone", "Phone", { type: "tel" })}
          <label>
            Notes from the call
            <textarea name="comments" rows="3" maxlength="4000" safe>
              {value("comments")}
            </textarea>
          </label>
        </fieldset>
        <button type="submit">Store and score</button>
      </form>
    </>
  );
}
