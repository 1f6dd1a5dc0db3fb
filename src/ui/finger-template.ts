/**
 * A fingerprint template as /sim/finger takes it: an r30x character file
 * (docs/drivers/fingerprint.md), 512 bytes, in base64 or base64url, strictly:
 * Node's decoder skips characters it does not know ("%%%" decodes to zero
 * bytes), so the text must re-encode to itself.
 */
export const TEMPLATE_BYTES = 512;

/** The template's bytes, or why the text is not one. */
export function readTemplate(text: string): Buffer | string {
  if (text.length > 1024) return `"template" is longer than a ${TEMPLATE_BYTES}-byte template in base64`;
  const url = /^[A-Za-z0-9_-]*$/.test(text);
  if (!url && !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return '"template" is not base64';
  const bytes = Buffer.from(text, url ? 'base64url' : 'base64');
  const again = bytes.toString(url ? 'base64url' : 'base64');
  // Padding is optional; any other difference means bits or characters were dropped.
  if (again.replace(/=+$/, '') !== text.replace(/=+$/, '')) return '"template" is not canonical base64';
  if (bytes.length !== TEMPLATE_BYTES) return `"template" is ${bytes.length} bytes; an r30x template is ${TEMPLATE_BYTES}`;
  return bytes;
}
