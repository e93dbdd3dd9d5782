/**
 * Broker risk worked by hand from the weights table at the top of src/domain/broker-risk.ts: a
 * perfect payer, a slow payer, a broker with disputes, unpaid invoices, board figures only, no
 * data at all; the caps, the stop at 100, the first-seen lines, bad input; and, over a grid of
 * inputs, that the reasons' points always add up to the score.
 */
import { describe, expect, test } from "bun:test";
import { brokerRisk, brokerRiskLevel, reasonLine, type BrokerHistory, type BrokerRiskInput } from "../../src/domain/broker-risk";

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 5, 30, 12, 0, 0);

/** A history with nothing in it but what the test sets. */
function history(fields: Partial<BrokerHistory>): BrokerHistory {
  return { loads_booked: 0, paid_on_time: 0, paid_late: 0, disputes: 0, cancelled_by_broker: 0, unpaid_past_due: 0, ...fields };
}

describe("worked examples", () => {
  test("a perfect payer: 50 − 8 − 2 − 20 − 5 = 15, low", () => {
    const risk = brokerRisk(
      {
        mc_known: true,
        board: { credit_score: 95, days_to_pay: 25 },
        history: history({ loads_booked: 14, paid_on_time: 14, avg_days_to_pay: 24, first_seen: NOW - 500 * DAY_MS }),
      },
      NOW,
    );
    expect(risk).toEqual({
      score: 15,
      level: "low",
      reasons: [
        { text: "Every broker starts at 50", points: 50 },
        // (80 − 95) ÷ 2 = −7.5, rounded away from zero.
        { text: "Load board credit score 95, above the 80 we count as neutral", points: -8 },
        // 14 of our loads paid, so our 24 days beats the board's 25: 6 days faster × 0.4 = 2.4.
        { text: "Pays in 24 days on average on our 14 paid loads, faster than the 30 days we count as normal", points: -2 },
        // 14 × −2 = −28, capped at −20.
        { text: "Paid us on time 14 times, −2 each up to −20", points: -20 },
        { text: "First seen 500 days ago: known to us for over a year", points: -5 },
      ],
    });
  });

  test("a slow payer: 50 + 4 + 12 − 6 + 16 = 76, high", () => {
    const risk = brokerRisk(
      {
        mc_known: true,
        board: { credit_score: 72, days_to_pay: 40 },
        history: history({ loads_booked: 8, paid_on_time: 3, paid_late: 4, avg_days_to_pay: 45, first_seen: NOW - 200 * DAY_MS }),
      },
      NOW,
    );
    expect(risk.score).toBe(76);
    expect(risk.level).toBe("high");
    expect(risk.reasons.map(reasonLine)).toEqual([
      "Every broker starts at 50 (+50)",
      "Load board credit score 72, below the 80 we count as neutral (+4)",
      // 15 days over 30 × 0.8 = 12.
      "Pays in 45 days on average on our 7 paid loads, slower than the 30 days we count as normal (+12)",
      "Paid us on time 3 times, −2 each up to −20 (−6)",
      "Paid us late 4 times, +4 each up to +20 (+16)",
    ]);
  });

  test("a broker with disputes: 50 − 3 + 1 − 18 + 20 + 5 = 55, medium", () => {
    const risk = brokerRisk(
      {
        mc_known: true,
        board: { credit_score: 85 },
        history: history({ loads_booked: 10, paid_on_time: 9, avg_days_to_pay: 31, disputes: 2, cancelled_by_broker: 1, first_seen: NOW - 100 * DAY_MS }),
      },
      NOW,
    );
    expect(risk.score).toBe(55);
    expect(risk.level).toBe("medium");
    expect(risk.reasons.map(reasonLine)).toEqual([
      "Every broker starts at 50 (+50)",
      // (80 − 85) ÷ 2 = −2.5 → −3.
      "Load board credit score 85, above the 80 we count as neutral (−3)",
      // 1 day over × 0.8 = 0.8 → 1.
      "Pays in 31 days on average on our 9 paid loads, slower than the 30 days we count as normal (+1)",
      "Paid us on time 9 times, −2 each up to −20 (−18)",
      "2 disputes on our loads, +10 each up to +30 (+20)",
      "Cancelled 1 of our loads after booking, +5 each up to +15 (+5)",
    ]);
  });

  test("disputes stop at +30 (4 × 10 would be 40)", () => {
    const risk = brokerRisk({ mc_known: true, history: history({ loads_booked: 6, disputes: 4 }) }, NOW);
    expect(risk.reasons).toContainEqual({ text: "4 disputes on our loads, +10 each up to +30", points: 30 });
    expect(risk.score).toBe(80);
  });

  test("an unpaid invoice past due turns the perfect payer medium; three make it high", () => {
    const perfect = { loads_booked: 14, paid_on_time: 14, avg_days_to_pay: 24, first_seen: NOW - 500 * DAY_MS };
    const board = { credit_score: 95, days_to_pay: 25 };
    const one = brokerRisk({ mc_known: true, board, history: history({ ...perfect, loads_booked: 15, unpaid_past_due: 1 }) }, NOW);
    expect(one.reasons).toContainEqual({ text: "1 of our invoices is unpaid past due, +25 each up to +50", points: 25 });
    expect(one).toMatchObject({ score: 40, level: "medium" });
    const three = brokerRisk({ mc_known: true, board, history: history({ ...perfect, loads_booked: 17, unpaid_past_due: 3 }) }, NOW);
    expect(three.reasons).toContainEqual({ text: "3 of our invoices are unpaid past due, +25 each up to +50", points: 50 });
    expect(three).toMatchObject({ score: 65, level: "high" });
  });

  test("board figures only, no MC: 50 + 15 + 20 + 24 = 109, stopped at 100", () => {
    const risk = brokerRisk({ mc_known: false, board: { credit_score: 40, days_to_pay: 60 } }, NOW);
    expect(risk.reasons.map(reasonLine)).toEqual([
      "Every broker starts at 50 (+50)",
      "No MC number on file, so its operating authority cannot be checked (+15)",
      "Load board credit score 40, below the 80 we count as neutral (+20)",
      "The load board says it pays in 60 days, slower than the 30 days we count as normal (+24)",
      "The score stops at 100 (−9)",
    ]);
    expect(risk).toMatchObject({ score: 100, level: "high" });
  });

  test("the best possible broker scores 7 (50 − 10 − 8 − 20 − 5): no floor is needed", () => {
    const risk = brokerRisk(
      {
        mc_known: true,
        board: { credit_score: 100, days_to_pay: 0 },
        history: history({ loads_booked: 40, paid_on_time: 40, avg_days_to_pay: 2, first_seen: NOW - 1000 * DAY_MS }),
      },
      NOW,
    );
    expect(risk.reasons.map((r) => r.points)).toEqual([50, -10, -8, -20, -5]);
    expect(risk).toMatchObject({ score: 7, level: "low" });
  });

  test("neutral figures still show, at 0 points", () => {
    const risk = brokerRisk({ mc_known: true, board: { credit_score: 80, days_to_pay: 30 } }, NOW);
    expect(risk.reasons).toEqual([
      { text: "Every broker starts at 50", points: 50 },
      { text: "Load board credit score 80, at the 80 we count as neutral", points: 0 },
      { text: "The load board says it pays in 30 days, the 30 days we count as normal", points: 0 },
    ]);
    expect(risk).toMatchObject({ score: 50, level: "medium" });
  });
});

describe("no data", () => {
  test("a broker we know nothing about is unknown at 50 and says so", () => {
    expect(brokerRisk({ mc_known: true }, NOW)).toEqual({
      score: 50,
      level: "unknown",
      reasons: [
        { text: "No credit score, no days-to-pay figure and no loads with us yet: this broker starts at 50 and there is nothing to move it", points: 50 },
      ],
    });
  });

  test("without an MC number it is still unknown, at 65", () => {
    const risk = brokerRisk({ mc_known: false, board: { credit_score: null, days_to_pay: null }, history: null }, NOW);
    expect(risk.level).toBe("unknown");
    expect(risk.score).toBe(65);
    expect(risk.reasons.map((r) => r.points)).toEqual([50, 15]);
  });

  test("a first-seen date alone is not data: no loads booked stays unknown, with no first-seen line", () => {
    const risk = brokerRisk({ mc_known: true, history: history({ first_seen: NOW - 3 * DAY_MS }) }, NOW);
    expect(risk).toMatchObject({ score: 50, level: "unknown" });
    expect(risk.reasons).toHaveLength(1);
  });
});

describe("days to pay", () => {
  // [name, input, expected reason]
  const cases: [string, BrokerRiskInput, { text: string; points: number }][] = [
    [
      "fewer than 3 of our loads paid: the board's figure counts",
      { mc_known: true, board: { days_to_pay: 35 }, history: history({ loads_booked: 2, paid_on_time: 2, avg_days_to_pay: 50 }) },
      { text: "The load board says it pays in 35 days, slower than the 30 days we count as normal", points: 4 },
    ],
    [
      "fewer than 3 paid and no board figure: our own average counts",
      { mc_known: true, history: history({ loads_booked: 2, paid_on_time: 2, avg_days_to_pay: 50 }) },
      { text: "Pays in 50 days on average on our 2 paid loads, slower than the 30 days we count as normal", points: 16 },
    ],
    [
      "one paid load reads in the singular, and a fractional average to one decimal (12.5 over × 0.8 = 10)",
      { mc_known: true, history: history({ loads_booked: 1, paid_late: 1, avg_days_to_pay: 42.5 }) },
      { text: "Pays in 42.5 days on average on our 1 paid load, slower than the 30 days we count as normal", points: 10 },
    ],
    [
      "slower stops at +24 (90 days would be +48)",
      { mc_known: true, board: { days_to_pay: 90 } },
      { text: "The load board says it pays in 90 days, slower than the 30 days we count as normal", points: 24 },
    ],
    [
      "faster stops at −8 (5 days would be −10)",
      { mc_known: true, board: { days_to_pay: 5 } },
      { text: "The load board says it pays in 5 days, faster than the 30 days we count as normal", points: -8 },
    ],
    [
      "3 paid loads are enough for our own average",
      { mc_known: true, board: { days_to_pay: 20 }, history: history({ loads_booked: 3, paid_on_time: 2, paid_late: 1, avg_days_to_pay: 40 }) },
      { text: "Pays in 40 days on average on our 3 paid loads, slower than the 30 days we count as normal", points: 8 },
    ],
  ];
  for (const [name, input, reason] of cases) {
    test(name, () => {
      expect(brokerRisk(input, NOW).reasons).toContainEqual(reason);
    });
  }
});

describe("first seen", () => {
  const seenDaysAgo = (days: number) => brokerRisk({ mc_known: true, history: history({ loads_booked: 1, first_seen: NOW - days * DAY_MS }) }, NOW).reasons;
  test("under 30 days: new to us, +5", () => {
    expect(seenDaysAgo(10)).toContainEqual({ text: "First seen 10 days ago: too new to us to have a track record", points: 5 });
    expect(seenDaysAgo(1)).toContainEqual({ text: "First seen 1 day ago: too new to us to have a track record", points: 5 });
  });
  test("30 to 365 days: no line; over 365: −5", () => {
    expect(seenDaysAgo(30).some((r) => r.text.startsWith("First seen"))).toBe(false);
    expect(seenDaysAgo(365).some((r) => r.text.startsWith("First seen"))).toBe(false);
    expect(seenDaysAgo(366)).toContainEqual({ text: "First seen 366 days ago: known to us for over a year", points: -5 });
  });
});

describe("levels", () => {
  const cases: [number, string][] = [
    [0, "low"],
    [39, "low"],
    [40, "medium"],
    [64, "medium"],
    [65, "high"],
    [100, "high"],
  ];
  for (const [score, level] of cases) {
    test(`${score} is ${level}`, () => {
      expect(brokerRiskLevel(score)).toBe(level as never);
    });
  }
});

describe("reasons add up", () => {
  // Every combination of these: 5 × 4 × 5 × 2 = 200 brokers.
  const creditScores = [undefined, 0, 55.5, 80, 100];
  const daysToPay = [undefined, 0, 33, 120];
  const histories: (BrokerHistory | undefined)[] = [
    undefined,
    history({ loads_booked: 0, first_seen: NOW - 5 * DAY_MS }),
    history({ loads_booked: 30, paid_on_time: 25, paid_late: 3, avg_days_to_pay: 37.3, first_seen: NOW - 400 * DAY_MS }),
    history({ loads_booked: 12, paid_on_time: 1, paid_late: 6, avg_days_to_pay: 71, unpaid_past_due: 4, disputes: 5, cancelled_by_broker: 4 }),
    history({ loads_booked: 2, paid_on_time: 1, avg_days_to_pay: 18, first_seen: NOW - 60 * DAY_MS }),
  ];
  test("points sum to the score, the score stays in 0–100, and the level follows the score", () => {
    let checked = 0;
    for (const credit_score of creditScores)
      for (const days_to_pay of daysToPay)
        for (const brokerHistory of histories)
          for (const mc_known of [true, false]) {
            const risk = brokerRisk({ mc_known, board: { credit_score, days_to_pay }, history: brokerHistory }, NOW);
            expect(risk.reasons.reduce((sum, r) => sum + r.points, 0)).toBe(risk.score);
            expect(risk.score).toBeGreaterThanOrEqual(0);
            expect(risk.score).toBeLessThanOrEqual(100);
            for (const reason of risk.reasons) expect(Number.isInteger(reason.points)).toBe(true);
            if (risk.level !== "unknown") expect(risk.level).toBe(brokerRiskLevel(risk.score));
            checked++;
          }
    expect(checked).toBe(200);
  });
});

describe("bad input", () => {
  const cases: [string, BrokerRiskInput, number, RegExp][] = [
    ["credit score above 100", { mc_known: true, board: { credit_score: 101 } }, NOW, /board\.credit_score must be a number from 0 to 100, got 101/],
    ["negative days to pay", { mc_known: true, board: { days_to_pay: -1 } }, NOW, /board\.days_to_pay must be a number from 0 to 365, got -1/],
    ["fractional count", { mc_known: true, history: history({ loads_booked: 2.5 }) }, NOW, /history\.loads_booked must be a whole number of at least 0, got 2.5/],
    ["negative disputes", { mc_known: true, history: history({ loads_booked: 2, disputes: -1 }) }, NOW, /history\.disputes must be a whole number of at least 0, got -1/],
    [
      "more paid than booked",
      { mc_known: true, history: history({ loads_booked: 3, paid_on_time: 3, unpaid_past_due: 1 }) },
      NOW,
      /history: 3 paid and 1 unpaid past due add up to more than the 3 loads booked/,
    ],
    ["more disputes than loads", { mc_known: true, history: history({ loads_booked: 1, disputes: 2 }) }, NOW, /history: 2 disputes on only 1 load booked/],
    ["more cancellations than loads", { mc_known: true, history: history({ loads_booked: 1, cancelled_by_broker: 2 }) }, NOW, /history: 2 cancellations of only 1 load booked/],
    ["an average with nothing paid", { mc_known: true, history: history({ loads_booked: 1, avg_days_to_pay: 30 }) }, NOW, /history\.avg_days_to_pay is 30 but no load has been paid/],
    ["first seen in the future", { mc_known: true, history: history({ loads_booked: 1, first_seen: NOW + DAY_MS }) }, NOW, /history\.first_seen must be UTC epoch milliseconds no later than now/],
    ["mc_known missing", { board: { credit_score: 90 } } as BrokerRiskInput, NOW, /mc_known must be true or false, got undefined/],
    ["now not a number", { mc_known: true }, Number.NaN, /now must be UTC epoch milliseconds, got NaN/],
  ];
  for (const [name, input, now, message] of cases) {
    test(`rejects ${name}`, () => {
      expect(() => brokerRisk(input, now)).toThrow(message);
    });
  }
});
