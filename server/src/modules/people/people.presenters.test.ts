import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskPhone } from "./people.presenters.ts";

/** What the API accepts as a phone number: digits, plus, dash and space, 5 to 20 characters. */
const phoneText = fc.stringMatching(/^[0-9+\- ]{5,20}$/);
const mobile = fc.stringMatching(/^1[0-9]{10}$/);
const digitsOf = (text: string) => text.replace(/[^0-9]/g, "");

/** How many digits a masked number shows: the ones that are not stars. */
const shown = (masked: string) => masked.replace(/\*/g, "").length;

describe("maskPhone", () => {
  it("keeps the first 3 and last 4 digits of a mainland mobile number", () => {
    expect(maskPhone("13812345678")).toBe("138****5678");
    expect(maskPhone("138 1234 5678")).toBe("138****5678");
    expect(maskPhone("138-1234-5678")).toBe("138****5678");
  });

  it("shows a quarter of the digits at each end of any other number, and none below 4 digits", () => {
    expect(maskPhone("6512345")).toBe("6*****5");
    expect(maskPhone("0871-6512345")).toBe("08*******45");
    expect(maskPhone("12345")).toBe("1***5");
    expect(maskPhone("+86 13812345678")).toBe("861*******678");
    expect(maskPhone("123")).toBe("***");
    expect(maskPhone("+-- -")).toBe("");
    expect(maskPhone(null)).toBeNull();
  });

  it("never shows a whole number, nor more than the rule allows, nor a digit out of its place", () => {
    fc.assert(
      fc.property(fc.oneof(phoneText, mobile, fc.string({ maxLength: 30 })), (phone) => {
        const digits = digitsOf(phone);
        const masked = maskPhone(phone) ?? "";
        expect(masked).toMatch(/^[0-9*]*$/);
        expect(masked.length).toBe(digits.length);
        if (digits.length > 0) expect(masked).not.toBe(digits);
        const allowed = /^1[0-9]{10}$/.test(digits) ? 7 : Math.floor(digits.length / 2);
        expect(shown(masked)).toBeLessThanOrEqual(allowed);
        // A digit shown is the digit that stands there; the hidden ones form one run in the middle.
        [...masked].forEach((char, i) => char !== "*" && expect(char).toBe(digits[i]));
        expect(masked).toMatch(/^[0-9]*\**[0-9]*$/);
      }),
      { numRuns: 2000 },
    );
  });

  it("masks a number the same way however it is written", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{5,15}$/), fc.array(fc.constantFrom(" ", "-", "+"), { maxLength: 5 }), (digits, separators) => {
        const written = separators.reduce((text, separator, i) => text.slice(0, i * 2) + separator + text.slice(i * 2), digits);
        expect(maskPhone(written)).toBe(maskPhone(digits));
      }),
    );
  });
});
