import { PassThrough, type Writable } from 'node:stream';
import { ZipFile } from 'yazl';

/**
 * A one-sheet Excel workbook (Office Open XML) written as a stream: the sheet's rows go
 * through yazl's zip (deflate) into the output as they are added, so memory holds a chunk of
 * rows, never the file. Cells are inline strings, numbers and dates only: there is no shared
 * strings table (it would keep every distinct value) and nothing is ever written as a
 * formula. The header row is bold, frozen and carries the filter buttons.
 */

/** How a column's cells are shown: text ("@", so a spreadsheet never reads "+34…" as a number), a whole number, a date-time or a date. */
export type XlsxKind = 'text' | 'number' | 'dateTime' | 'date';

/** What a cell holds: a Date is written as a date serial of its UTC fields, null as no cell. */
export type XlsxValue = string | number | Date | null;

export interface XlsxSheetColumn {
  header: string;
  kind: XlsxKind;
  /** In characters. */
  width: number;
}

/** Index of each kind's cell format in styles.xml's cellXfs; the header's is HEADER_STYLE. */
const STYLE: Record<XlsxKind, number> = { text: 1, number: 2, dateTime: 3, date: 4 };
const HEADER_STYLE = 5;

/** Rows are handed to the zip in chunks of about this many characters of XML. */
const CHUNK_CHARS = 32_768;

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const TYPE_NS = 'http://schemas.openxmlformats.org/package/2006/content-types';

const CONTENT_TYPES =
  `${XML_HEAD}<Types xmlns="${TYPE_NS}">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '</Types>';

const PACKAGE_RELS =
  `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
  '</Relationships>';

const WORKBOOK_RELS =
  `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
  '</Relationships>';

/** Built-in number formats 49 ("@") and 1 ("0"); the two date formats are the file's own. */
const STYLES =
  `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
  '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>' +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

export class XlsxSheetWriter {
  private readonly zip = new ZipFile();
  private readonly sheet = new PassThrough();
  private readonly letters: string[];
  private readonly styles: number[];
  private pending = '';
  private row = 1;

  /** `output` is yazl's zip stream: pipe it where the file goes. */
  readonly output: NodeJS.ReadableStream = this.zip.outputStream;

  constructor(
    private readonly sheetName: string,
    private readonly columns: readonly XlsxSheetColumn[],
  ) {
    this.letters = columns.map((_c, i) => columnLetter(i + 1));
    this.styles = columns.map((c) => STYLE[c.kind]);
    this.zip.addBuffer(Buffer.from(CONTENT_TYPES), '[Content_Types].xml');
    this.zip.addBuffer(Buffer.from(PACKAGE_RELS), '_rels/.rels');
    this.zip.addBuffer(Buffer.from(WORKBOOK_RELS), 'xl/_rels/workbook.xml.rels');
    this.zip.addBuffer(Buffer.from(STYLES), 'xl/styles.xml');
    this.zip.addReadStream(this.sheet, 'xl/worksheets/sheet1.xml');
    const cols = columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`).join('');
    const header = columns
      .map((c, i) => `<c r="${this.letters[i]}1" t="inlineStr" s="${HEADER_STYLE}">${inlineString(c.header)}</c>`)
      .join('');
    this.pending =
      `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
      '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
      `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData><row r="1">${header}</row>`;
  }

  /**
   * Adds a row of values in the columns' order. Returns false when the zip has not caught up
   * with what it was given: wait for drained() before adding more.
   */
  addRow(values: readonly XlsxValue[]): boolean {
    const r = ++this.row;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === '') continue;
      const ref = `${this.letters[i]}${r}`;
      if (typeof v === 'string') xml += `<c r="${ref}" t="inlineStr" s="${this.styles[i]}">${inlineString(v)}</c>`;
      else if (typeof v === 'number') xml += `<c r="${ref}" s="${this.styles[i]}"><v>${v}</v></c>`;
      else if (!Number.isNaN(v.getTime())) xml += `<c r="${ref}" s="${this.styles[i]}"><v>${dateSerial(v)}</v></c>`;
    }
    this.pending += `${xml}</row>`;
    return this.pending.length < CHUNK_CHARS || this.flush();
  }

  /** Resolves once the zip has taken what it was given (or `signal` aborts). */
  drained(signal: AbortSignal): Promise<unknown> {
    return this.sheet.writableNeedDrain ? onceDrained(this.sheet, signal) : Promise.resolve();
  }

  /** Closes the sheet (its filter covering every row) and the zip: the output ends once written. */
  end(): void {
    const last = `${columnLetter(this.columns.length)}${this.row}`;
    this.pending += `</sheetData><autoFilter ref="A1:${last}"/></worksheet>`;
    this.flush();
    this.sheet.end();
    // The filter's range is named in the workbook too, as spreadsheet programs write it.
    const workbook =
      `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews>` +
      `<sheets><sheet name="${escapeXml(this.sheetName)}" sheetId="1" r:id="rId1"/></sheets>` +
      `<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">` +
      `${escapeXml(`'${this.sheetName.replace(/'/g, "''")}'!$A$1:$${columnLetter(this.columns.length)}$${this.row}`)}</definedName>` +
      '</definedNames></workbook>';
    this.zip.addBuffer(Buffer.from(workbook), 'xl/workbook.xml');
    this.zip.end();
  }

  /** Stops writing: the sheet's stream is dropped and nothing more reaches the output. */
  abort(): void {
    this.pending = '';
    this.sheet.destroy();
  }

  private flush(): boolean {
    const chunk = this.pending;
    this.pending = '';
    return this.sheet.write(chunk);
  }
}

function onceDrained(stream: PassThrough, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      signal.removeEventListener('abort', aborted);
      stream.off('close', done);
      stream.off('drain', done);
      resolve();
    };
    const aborted = () => {
      done();
      reject(signal.reason);
    };
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', aborted, { once: true });
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** "A", "Z", "AA"…: a column's letters in a cell reference. */
export function columnLetter(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

/** Days since 1899-12-30 (Excel's serial, 1900 system) of the date's UTC fields. */
function dateSerial(d: Date): number {
  return d.getTime() / 86_400_000 + 25_569;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };

/** Text for XML: the markup characters escaped and a carriage return kept (XML would read it as a line feed). */
function escapeXml(s: string): string {
  return s.replace(/[&<>"\r]/g, (c) => XML_ESCAPES[c]);
}

/**
 * A string cell's content. Control characters XML cannot carry are written as OOXML's
 * `_xHHHH_` (so a literal "_x0041_" in a value is itself escaped, as `_x005F_x0041_`); space
 * at either end is kept.
 */
function inlineString(value: string): string {
  let s = escapeXml(value);
  if (/_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.test(s)) {
    s = s
      .replace(/_(?=x[0-9A-Fa-f]{4}_)/g, '_x005F_')
      .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
  }
  return /^\s|\s$/.test(value) ? `<is><t xml:space="preserve">${s}</t></is>` : `<is><t>${s}</t></is>`;
}
