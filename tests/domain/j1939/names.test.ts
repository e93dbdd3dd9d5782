/**
 * FMI descriptions and SPN names: the bundled table covers every SPN the decoders read and the
 * common fault SPNs; an operator's table is parsed with line-numbered errors and wins on lookup.
 */
import { describe, expect, test } from "bun:test";
import { fmiText, FMI_TEXTS } from "../../../src/domain/j1939/fmi";
import { bundledSpnNames, loadSpnNames, spnName } from "../../../src/domain/j1939/spn-names";
import { PGN_SPECS } from "../../../src/domain/j1939/pgns";

describe("FMI", () => {
  test("32 texts with the standard wording", () => {
    expect(FMI_TEXTS).toHaveLength(32);
    expect(fmiText(0)).toBe("Data valid but above normal operational range - most severe level");
    expect(fmiText(2)).toBe("Data erratic, intermittent or incorrect");
    expect(fmiText(4)).toBe("Voltage below normal, or shorted to low source");
    expect(fmiText(5)).toBe("Current below normal or open circuit");
    expect(fmiText(18)).toBe("Data valid but below normal operating range - moderately severe level");
    expect(fmiText(19)).toBe("Received network data in error");
    expect(fmiText(21)).toBe("Data drifted low");
    expect(fmiText(25)).toBe("Reserved for SAE assignment");
    expect(fmiText(31)).toBe("Condition exists");
    expect(fmiText(32)).toBe("FMI 32");
    expect(fmiText(-1)).toBe("FMI -1");
  });
});

describe("SPN names", () => {
  test("the bundled table names every SPN decoded and the common fault SPNs", () => {
    const decoded = [...PGN_SPECS.values()].flatMap((spec) => spec.fields.map((field) => field.spn));
    const faults = [91, 100, 102, 105, 108, 110, 111, 157, 158, 168, 171, 175, 177, 190, 520, 597, 636, 637, 639, 651, 652, 653, 654, 655, 656, 1569, 3216, 3226, 3251, 3364, 3719, 3720, 4364, 5246, 4094, 3031, 1761];
    for (const spn of [...decoded, ...faults]) expect(spnName(spn), `SPN ${spn}`).toBeString();
    expect(bundledSpnNames().size).toBeGreaterThanOrEqual(80);
    expect(spnName(110)).toBe("Engine coolant temperature");
    expect(spnName(4)).toBeUndefined();
  });

  test("an operator's table: extra columns ignored, quoted names, BOM, CRLF; it wins over the bundled names", () => {
    const names = loadSpnNames('\uFEFFSPN,Name,Notes\r\n110,"Coolant temp, engine",ours\r\n520192,Proprietary DEF heater,\r\n');
    expect(names).toEqual(new Map([[110, "Coolant temp, engine"], [520_192, "Proprietary DEF heater"]]));
    expect(spnName(110, names)).toBe("Coolant temp, engine");
    expect(spnName(190, names)).toBe("Engine speed");
  });

  test.each([
    ["spn,name\n110,Coolant\nabc,Oops\n", "SPN names line 3: spn \"abc\" is not a number 0…524287"],
    ["spn,name\n524288,Too big\n", "SPN names line 2: spn \"524288\" is not a number 0…524287"],
    ["spn,name\n110,\n", "SPN names line 2: SPN 110 has no name"],
    ["spn,name\n110\n", "SPN names line 2: SPN 110 has no name"],
    ["number,text\n110,Coolant\n", "SPN names line 1: the header must have the columns spn and name"],
    ["", "SPN names line 1: the header must have the columns spn and name"],
    ['spn,name\n110,"Coolant\n', "SPN names line 2: Quote Not Closed"],
  ])("bad table %#", (text, reason) => {
    expect(() => loadSpnNames(text)).toThrow(reason);
  });
});
