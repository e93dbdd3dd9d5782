/** A stand-in gazetteer for load-store tests: a few places by "city|ST"; anything else is unknown (the real gazetteer is tested in tests/geo). */
import type { Geocoder } from "../../src/loads/store";

export function placesGeocoder(places: Record<string, { lat: number; lon: number; zip: string }>): Geocoder {
  return (place) => {
    const hit = places[`${place.city?.toLowerCase()}|${place.state}`];
    return hit ? { ok: true, ...hit, city: place.city, state: place.state } : { ok: false, reason: `no US city ${JSON.stringify(place.city)} in ${place.state}` };
  };
}
