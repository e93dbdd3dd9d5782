/** @jsxImportSource @kitajs/html */
/**
 * Dead letters: telemetry messages and load-board records that could not be stored, newest first,
 * with where they came from (device and topic, or source and row), time, the reason and the payload
 * (truncated, monospace). Payloads are whatever a device or board sent — hostile by assumption — so
 * every field is rendered with `safe`.
 */
import type { DeadLetter } from "../../src/telemetry/queries";
import { CardTable, Time } from "../components";

/** Characters of a payload shown in the table. */
export const PAYLOAD_PREVIEW_CHARS = 400;

/** What the dead letters page shows. */
export interface DeadLettersPageProps {
  letters: DeadLetter[];
  /** Link to the next (older) page, or null at the end. */
  nextHref: string | null;
  /** True when this is not the first page. */
  paged: boolean;
}

/** The dead letters page body. */
export function DeadLettersPage(props: DeadLettersPageProps): JSX.Element {
  return (
    <>
      <p class="muted">
        <a href="/trucks/devices">← Devices</a>
      </p>
      <h1>Dead letters</h1>
      <p class="muted">Telemetry messages and load-board records Haulbox received but could not store, with the reason. Nothing is thrown away silently; old ones are pruned after the configured days.</p>
      <section class="card">
        {props.letters.length ? (
          <CardTable columns={["Received", "From", "Where", "Reason", "Payload"]}>
            {props.letters.map((letter) => {
              const preview = letter.payload.length > PAYLOAD_PREVIEW_CHARS ? `${letter.payload.slice(0, PAYLOAD_PREVIEW_CHARS)}…` : letter.payload;
              return (
                <tr id={`dead-letter-${letter.id}`}>
                  <td data-label="Received">
                    <Time at={letter.received_at} />
                  </td>
                  <td data-label="From" class="mono" safe>
                    {letter.kind === "load" ? `load source ${letter.source_id ?? "?"}` : letter.device_id ?? "unknown device"}
                  </td>
                  <td data-label="Where" class="mono" safe>
                    {letter.kind === "load" ? letter.ref ?? "—" : letter.topic ?? letter.source_id ?? "—"}
                  </td>
                  <td data-label="Reason" safe>
                    {letter.reason}
                  </td>
                  <td data-label="Payload">
                    <pre class="mono payload" safe>
                      {preview}
                    </pre>
                    <div class="muted small" safe>{`${letter.payload_bytes} bytes`}</div>
                  </td>
                </tr>
              );
            })}
          </CardTable>
        ) : (
          <p class="muted">{props.paged ? "No older dead letters." : "No dead letters: every message so far was stored."}</p>
        )}
        <div class="pager">
          {props.paged ? <a href="/dead-letters">Newest</a> : ""}
          {props.nextHref ? <a href={props.nextHref}>Older →</a> : ""}
        </div>
      </section>
    </>
  );
}
