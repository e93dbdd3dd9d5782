/**
 * Intl.DateTimeFormat objects, built once per locale, zone and options: building one costs tens of
 * microseconds (a board page or a matching pass asks thousands of times), using one costs about one.
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/** The formatter for `locale` and `options` (which name the time zone); throws a RangeError for an unknown zone, as Intl does. */
export function dateFormatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let formatter = FORMATTERS.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    FORMATTERS.set(key, formatter);
  }
  return formatter;
}
