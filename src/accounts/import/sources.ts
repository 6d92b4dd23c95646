import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { REQUIRED_CSV_HEADERS, readCsvRow, readJsonChannel, type ReadResult } from './import-record';

/** One record of a file, with where it is, for error reports. */
export type SourceItem = ReadResult & { position: string };

export type ImportFormat = 'json' | 'csv';

/** A problem with the file as a whole (not one record): nothing can be imported. */
export class ImportFileError extends Error {}

/** JSON when the file (after a BOM and blanks) starts with { or [, CSV otherwise. */
export async function detectFormat(path: string): Promise<ImportFormat> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('{') || head.startsWith('[') ? 'json' : 'csv';
  } finally {
    await handle.close();
  }
}

export function readSource(path: string, format: ImportFormat): AsyncGenerator<SourceItem> {
  return format === 'json' ? jsonChannels(path) : csvRows(path);
}

/** Where a channel is in the JSON form, the same for a file and for a list already read. */
const channelPosition = (index: number) => `record ${index + 1} (partner_channels[${index}])`;

/** The elements of a `partner_channels` list already in memory (the operator API's body). */
export async function* channelItems(channels: readonly unknown[]): AsyncGenerator<SourceItem> {
  for (const [index, value] of channels.entries()) yield { ...readJsonChannel(value), position: channelPosition(index) };
}

/**
 * The elements of `partner_channels`, one at a time, without holding the file in memory: a
 * small scanner finds each element's text (tracking strings and nesting), which is then
 * parsed alone. A bare top-level array of channels is read the same way.
 */
export async function* jsonChannels(path: string): AsyncGenerator<SourceItem> {
  let depth = 0;
  let inString = false;
  let escape = false;
  let keyText: string | null = null;
  let lastKey = '';
  let arrayDepth = -1; // depth inside the channels array, -1 before it
  let arrayDone = false;
  let capture: string[] | null = null;
  let badElement = false;
  let index = 0;
  const position = () => channelPosition(index);

  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (inString) {
        if (escape) escape = false;
        else if (ch === '\\') escape = true;
        else if (ch === '"') {
          inString = false;
          if (keyText !== null) {
            lastKey = keyText;
            keyText = null;
          }
        } else if (keyText !== null && keyText.length < 64) keyText += ch;
        continue;
      }
      if (arrayDepth >= 0 && !arrayDone && depth === arrayDepth && capture === null) {
        // Between elements: anything but a comma, a blank or an object is a bad element.
        if (ch === ',' || ch === ']') {
          if (badElement) {
            yield { ok: false, reason: 'not an object', position: position() };
            index++;
            badElement = false;
          }
        } else if (ch !== '{' && !/\s/.test(ch)) badElement = true;
      }
      if (ch === '"') {
        inString = true;
        if (arrayDepth < 0 && depth === 1) keyText = '';
        continue;
      }
      if (ch === '{' || ch === '[') {
        if (arrayDepth >= 0 && !arrayDone && depth === arrayDepth && ch === '{' && !badElement) {
          capture = [];
          start = i;
        } else if (arrayDepth < 0 && ch === '[' && (depth === 0 || (depth === 1 && lastKey === 'partner_channels'))) {
          arrayDepth = depth + 1;
        }
        depth++;
      } else if (ch === '}' || ch === ']') {
        depth--;
        if (capture !== null && depth === arrayDepth) {
          capture.push(chunk.slice(start, i + 1));
          const text = capture.join('');
          capture = null;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (err) {
            yield { ok: false, reason: `not valid JSON (${(err as Error).message.slice(0, 80)})`, position: position() };
            index++;
            continue;
          }
          yield { ...readJsonChannel(value), position: position() };
          index++;
        } else if (arrayDepth >= 0 && depth === arrayDepth - 1 && ch === ']') {
          arrayDone = true;
        }
      }
    }
    if (capture !== null) capture.push(chunk.slice(start));
  }
  if (arrayDepth < 0) throw new ImportFileError('The JSON file has no "partner_channels" array.');
  if (!arrayDone || depth !== 0 || inString) throw new ImportFileError('The JSON file ends too early: it is cut off or not valid JSON.');
}

/**
 * The rows of the CSV form, streamed. A UTF-8 BOM is skipped; the header must name the
 * export's columns (order does not matter, unknown columns are ignored).
 */
export async function* csvRows(path: string): AsyncGenerator<SourceItem> {
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim());
        const missing = REQUIRED_CSV_HEADERS.filter((h) => !names.includes(h));
        if (missing.length) throw new ImportFileError(`The CSV header lacks the column(s): ${missing.join(', ')}.`);
        return names;
      },
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; invalid_field_length: number };
    }>) {
      const position = `line ${info.lines}`;
      if (info.invalid_field_length > 0) {
        yield { ok: false, reason: 'the row has a different number of cells than the header', position };
        continue;
      }
      yield { ...readCsvRow(record), position };
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ImportFileError) throw cause;
    throw new ImportFileError(`The CSV file could not be read: ${(err as Error).message}`);
  }
}
