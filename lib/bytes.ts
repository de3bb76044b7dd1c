/*
 * Sizes of text as a server counts them (bytes of UTF-8, not characters), and how they are told to
 * people: used by the request limits, the post schema's limit and the editor's counter alike.
 */

const KIB = 1024;
const MIB = 1024 * KIB;

/** Bytes of `text` in UTF-8, without building the encoded copy (a post may be a megabyte). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    // A surrogate pair is one character of four bytes; a lone surrogate is sent as U+FFFD (three).
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const mebibytes = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const kibibytes = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** "512 bytes", "2.5 KiB", "88 KiB", "1 MiB", "3.06 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${mebibytes.format(bytes / MIB)} MiB`;
  if (bytes >= 10 * KIB) return `${Math.round(bytes / KIB)} KiB`;
  if (bytes >= KIB) return `${kibibytes.format(bytes / KIB)} KiB`;
  return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
}
