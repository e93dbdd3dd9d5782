/**
 * Failure mode identifiers (SAE J1939-73, FMI 0–31): the standard description of each, as a fault
 * list shows it beside the SPN name.
 */

/** FMI descriptions, indexed by FMI. 22–30 are reserved by SAE and have no meaning yet. */
export const FMI_TEXTS: readonly string[] = [
  "Data valid but above normal operational range - most severe level",
  "Data valid but below normal operational range - most severe level",
  "Data erratic, intermittent or incorrect",
  "Voltage above normal, or shorted to high source",
  "Voltage below normal, or shorted to low source",
  "Current below normal or open circuit",
  "Current above normal or grounded circuit",
  "Mechanical system not responding or out of adjustment",
  "Abnormal frequency or pulse width or period",
  "Abnormal update rate",
  "Abnormal rate of change",
  "Root cause not known",
  "Bad intelligent device or component",
  "Out of calibration",
  "Special instructions",
  "Data valid but above normal operating range - least severe level",
  "Data valid but above normal operating range - moderately severe level",
  "Data valid but below normal operating range - least severe level",
  "Data valid but below normal operating range - moderately severe level",
  "Received network data in error",
  "Data drifted high",
  "Data drifted low",
  ...Array.from({ length: 9 }, () => "Reserved for SAE assignment"),
  "Condition exists",
];

/** The description of an FMI, or a plain "FMI n" for a number outside 0–31. */
export function fmiText(fmi: number): string {
  return (Number.isInteger(fmi) && FMI_TEXTS[fmi]) || `FMI ${fmi}`;
}
