/**
 * Intl.DateTimeFormat objects, built once per locale, time zone and options: building one costs
 * tens of microseconds (a board page or a matching pass asks thousands of times), using one about
 * one. Callers pass their options as a module-level constant (the cache is keyed by that object).
 */
const FORMATTERS = new WeakMap<Intl.DateTimeFormatOptions, Map<string, Intl.DateTimeFormat>>();

/**
 * The formatter for `locale`, `timeZone` and `options` (a constant object without the time zone);
 * throws a RangeError for an unknown zone, as Intl does.
 */
export function dateFormatter(locale: string, timeZone: string, options: Readonly<Intl.DateTimeFormatOptions>): Intl.DateTimeFormat {
  let byZone = FORMATTERS.get(options);
  if (!byZone) FORMATTERS.set(options, (byZone = new Map()));
  const key = `${locale}|${timeZone}`;
  let formatter = byZone.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    byZone.set(key, formatter);
  }
  return formatter;
}

const LOCAL_TIME: Intl.DateTimeFormatOptions = { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short" };

/** A moment as the fleet reads it in its time zone: "Fri, Nov 20, 08:00 CST". */
export function localTimeText(at: number, timeZone: string): string {
  return dateFormatter("en-US", timeZone, LOCAL_TIME).format(new Date(at));
}
