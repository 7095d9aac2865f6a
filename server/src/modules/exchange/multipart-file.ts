/**
 * The file of a multipart/form-data body (RFC 7578), as a browser's form or `curl -F file=@…`
 * sends it: the first part that carries a filename, else the part named `file`. The body is
 * already held whole (its size limited), so this only slices it.
 */
import { AppError } from "../../errors.ts";

const CRLF2 = Buffer.from("\r\n\r\n");

export function fileOfMultipart(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new AppError(400, "invalid_multipart", "multipart/form-data without a boundary");
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let named: Buffer | undefined;
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const headerStart = start + delimiter.length;
    // "--" after a delimiter closes the body.
    if (body.subarray(headerStart, headerStart + 2).toString() === "--") break;
    const headerEnd = body.indexOf(CRLF2, headerStart);
    if (headerEnd < 0) break;
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) break;
    const headers = body.subarray(headerStart, headerEnd).toString("utf8");
    const content = body.subarray(headerEnd + 4, next);
    if (/filename\*?=/i.test(headers)) return content;
    if (/name="file"/i.test(headers)) named ??= content;
    start = next + 2;
  }
  if (named) return named;
  throw new AppError(400, "file_required", "The form holds no file: send it in a field named file");
}
