import { unstable_parseMultipartFormData } from "@remix-run/node";

export interface UploadForm {
  /** the text fields asked for, each sent once */
  fields: Record<string, string>;
  /** the file field's bytes, or null when no file was chosen */
  file: Buffer | null;
}

export type UploadResult = { ok: true; form: UploadForm } | { ok: false; reason: "tooLarge" | "malformed" };

class TooLarge extends Error {}

/**
 * Reads a multipart form with one file field, counting bytes as they stream in: past
 * `maxFileBytes` (or `maxFieldBytes` for a text field) it keeps nothing more and answers
 * "tooLarge", so a huge upload is never held in memory. It does read on (and drop) up to four
 * times the budget, so that a browser still sending gets the answer rather than a reset
 * connection; beyond that it stops reading, and the caller should close the connection. Parts it
 * did not ask for are dropped too, within the same budget. A body that is not multipart is "malformed".
 */
export async function readUploadForm(
  request: Request,
  opts: { fileField: string; textFields: readonly string[]; maxFileBytes: number; maxFieldBytes?: number; maxTextBytes?: number },
): Promise<UploadResult> {
  const maxFieldBytes = opts.maxFieldBytes ?? 4096;
  const fields: Record<string, string> = {};
  let file: Buffer | null = null;
  let total = 0;
  // The text fields' share of the body (a long form, such as a campaign's argument, needs more).
  const budget = opts.maxFileBytes + (opts.maxTextBytes ?? 64 * 1024);
  let tooLarge = false;
  try {
    await unstable_parseMultipartFormData(request, async (part) => {
      const isFile = part.name === opts.fileField && typeof part.filename === "string";
      const limit = isFile ? opts.maxFileBytes : maxFieldBytes;
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of part.data) {
        size += chunk.byteLength;
        total += chunk.byteLength;
        if (total > 4 * budget) throw new TooLarge();
        if (size > limit || total > budget) tooLarge = true;
        if (!tooLarge) chunks.push(chunk);
      }
      if (tooLarge) return undefined;
      if (isFile) file = size > 0 ? Buffer.concat(chunks) : null;
      else if (opts.textFields.includes(part.name) && part.filename === undefined && !(part.name in fields)) fields[part.name] = Buffer.concat(chunks).toString("utf8");
      return undefined;
    });
  } catch (error) {
    return { ok: false, reason: error instanceof TooLarge ? "tooLarge" : "malformed" };
  }
  return tooLarge ? { ok: false, reason: "tooLarge" } : { ok: true, form: { fields, file } };
}
