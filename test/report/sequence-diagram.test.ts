// Checks the counterexample drawing: every step of a trace appears in the SVG in its own style
// (solid requests, dashed responses, lost messages ending in ×, notes as boxes, crashes marked),
// actors missing from the list are added, text is escaped, and the output is deterministic;
// and, over generated traces, that every step is drawn, no text escapes unescaped and no
// coordinate is NaN. Assumes only the Trace format exported by src/report/sequence-diagram.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sequenceDiagram, stepText, type Trace, timeText, traceActors } from "../../src/report/sequence-diagram.ts";

const trace: Trace = {
  actors: ["client", "hs1", "hs2"],
  steps: [
    { at: 0, from: "client", to: "hs1", label: "PUT /sendToDevice/m.test/t1" },
    { at: 4, from: "hs1", to: "client", label: "200 {}", kind: "response" },
    { at: 5, from: "hs1", to: "hs2", label: "PUT /send/txn1", kind: "lost" },
    { at: 6, from: "hs1", to: "hs1", label: "timer <retry>" },
    { at: 1_500, from: "hs2", to: "hs2", label: "power cut", kind: "crash" },
    { from: "hs1", to: "hs2", label: "the transaction is never resent", kind: "note" },
    { at: 600_010, from: "device", to: "hs2", label: "GET /sync" },
  ],
};

describe("sequenceDiagram", () => {
  const svg = sequenceDiagram(trace, { id: "cx-1", title: "exactly-once fails" });

  it("draws every step, each in its own style", () => {
    expect(svg.match(/<g class="step"/g)).toHaveLength(trace.steps.length);
    for (const kind of ["request", "response", "lost", "note", "crash"]) expect(svg).toContain(`data-kind="${kind}"`);
    expect(svg).toContain(">PUT /sendToDevice/m.test/t1</text>");
    expect(svg).toMatch(/<line class="response"[^>]*stroke-dasharray[^>]*marker-end="url\(#s-cx-1-response\)"/);
    expect(svg).toMatch(/<line class="lost"[^>]*stroke-dasharray/);
    expect(svg.match(/class="lost-mark"/g)).toHaveLength(1);
    expect(svg.match(/class="crash-mark"/g)).toHaveLength(1);
    expect(svg).toContain(">crash: power cut</text>");
    expect(svg).toMatch(/<rect class="note"/);
    expect(svg).toContain(">the transaction is never resent</text>");
  });

  it("gives each actor a lifeline, adding actors the list forgot", () => {
    expect(traceActors(trace)).toEqual(["client", "hs1", "hs2", "device"]);
    expect(svg.match(/class="lifeline"/g)).toHaveLength(4);
    expect(svg).toContain(">device</text>");
  });

  it("shows times and escapes text", () => {
    expect(svg).toContain(">4 ms</text>");
    expect(svg).toContain(">1.5 s</text>");
    expect(svg).toContain(">600.01 s</text>");
    expect(svg).toContain(">timer &lt;retry&gt;</text>");
    expect(svg).not.toContain("<retry>");
  });

  it("is deterministic and keeps marker ids per diagram", () => {
    expect(sequenceDiagram(trace, { id: "cx-1", title: "exactly-once fails" })).toBe(svg);
    const other = sequenceDiagram(trace, { id: "cx-2", title: "again" });
    expect(other).toContain('id="s-cx-2-request"');
    expect(other).not.toContain("s-cx-1-");
  });

  it("widens the gap between actors to fit a long label", () => {
    const short = sequenceDiagram({ actors: ["a", "b"], steps: [{ from: "a", to: "b", label: "x" }] }, { id: "s", title: "t" });
    const long = sequenceDiagram(
      { actors: ["a", "b"], steps: [{ from: "a", to: "b", label: "x".repeat(80) }] },
      { id: "l", title: "t" },
    );
    const width = (text: string): number => Number(/viewBox="0 0 (\d+)/.exec(text)?.[1]);
    expect(width(long)).toBeGreaterThan(width(short) + 300);
  });
});

describe("stepText", () => {
  it("writes each kind of step as one line", () => {
    expect(trace.steps.map(stepText)).toEqual([
      "[0 ms] client -> hs1: PUT /sendToDevice/m.test/t1",
      "[4 ms] hs1 --> client: 200 {}",
      "[5 ms] hs1 --x hs2: PUT /send/txn1",
      "[6 ms] hs1 -> hs1: timer <retry>",
      "[1.5 s] hs2 crashes: power cut",
      "note (hs1–hs2): the transaction is never resent",
      "[600.01 s] device -> hs2: GET /sync",
    ]);
    expect(timeText(999)).toBe("999 ms");
  });
});

describe("sequenceDiagram over generated traces", () => {
  const runs = 200 * (process.env.COURIER_DEEP ? 100 : 1);
  const actor = fc.string({ minLength: 1, maxLength: 12 });
  const traceArb = fc.array(actor, { minLength: 1, maxLength: 5 }).chain((actors) =>
    fc.record({
      actors: fc.constant(actors),
      steps: fc.array(
        fc.record(
          {
            at: fc.nat({ max: 10_000_000 }),
            from: fc.constantFrom(...actors),
            to: fc.oneof(fc.constantFrom(...actors), actor),
            label: fc.string({ maxLength: 80 }),
            kind: fc.constantFrom("request", "response", "lost", "note", "crash"),
          },
          { requiredKeys: ["from", "to", "label"] },
        ),
        { maxLength: 12 },
      ),
    }),
  );

  it("draws every step, escapes all text and computes only finite coordinates", () => {
    const seed = Number(process.env.COURIER_SEED ?? Date.now());
    const property = fc.property(traceArb, (trace) => {
      const svg = sequenceDiagram(trace, { id: "p", title: "generated" });
      expect(svg.match(/<g class="step"/g) ?? []).toHaveLength(trace.steps.length);
      // Labels may say anything, so only the markup is searched for broken numbers.
      const markup = svg.replace(/>[^<>]*</g, "><");
      expect(markup).not.toMatch(/NaN|Infinity|undefined/);
      // Outside tags there is only escaped text: no raw `<`, `>` or unescaped `&`.
      const text = svg.replace(/<[^<>]*>/g, "");
      expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|#39);)/);
      expect(sequenceDiagram(trace, { id: "p", title: "generated" })).toBe(svg);
    });
    try {
      fc.assert(property, { numRuns: runs, seed });
    } catch (error) {
      throw new Error(`seed ${seed}: ${String(error)}`);
    }
  });
});
