import type { SmsGateway } from "../../config.ts";
import { maskPhone } from "../people/people.presenters.ts";

/** Where outbound messages go: sends one message or throws why it could not. */
export type MessageChannel = { name: string; send(phone: string, text: string): Promise<void> };

type Log = { info(o: object, m: string): void };

/** A gateway that takes longer than this has failed; the message is tried again later. */
const TIMEOUT_MS = 10_000;

/**
 * An HTTP SMS gateway: the URL template's `{phone}` and `{text}` are filled URL-encoded; a POST
 * also sends `{"phone", "text"}` as JSON. Any answer but 2xx is a failure.
 */
export function httpSmsChannel(gateway: SmsGateway): MessageChannel {
  return {
    name: "sms_gateway",
    async send(phone, text) {
      const url = gateway.url.replaceAll("{phone}", encodeURIComponent(phone)).replaceAll("{text}", encodeURIComponent(text));
      const headers: Record<string, string> = {};
      if (gateway.auth) headers.authorization = gateway.auth;
      if (gateway.method === "POST") headers["content-type"] = "application/json";
      const response = await fetch(url, {
        method: gateway.method,
        headers,
        body: gateway.method === "POST" ? JSON.stringify({ phone, text }) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      // The body is read so the connection is freed; a line of it explains a refusal.
      const body = (await response.text()).slice(0, 200);
      if (!response.ok) throw new Error(`gateway answered ${response.status}${body ? `: ${body}` : ""}`);
    },
  };
}

/** Without a gateway (the demo): the message is written to the server's log, the phone masked. */
export function logChannel(log: Log): MessageChannel {
  return {
    name: "log",
    async send(phone, text) {
      log.info({ phone: maskPhone(phone), text }, "outbound message (no SMS gateway configured)");
    },
  };
}
