/**
 * RFC 4180 CSV: fields in double quotes may hold commas, line breaks and doubled quotes.
 * ProofBench's cells are multi-line LaTeX, so a line-based reader would not do.
 */
export class CsvError extends Error {}

/** The rows of `text`, each a list of fields; a final line break does not add an empty row. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\n') line++;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (char === '"') {
      quoted = true;
      quoteLine = line;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (quoted) throw new CsvError(`a quoted field opened on line ${quoteLine} is never closed`);
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The rows after the header, as objects keyed by the header's names. */
export function parseCsvRecords(text: string): { header: string[]; records: Record<string, string>[] } {
  const [header = [], ...rows] = parseCsvRows(text.replace(/^\uFEFF/, ''));
  const records = rows
    .filter((row) => row.some((field) => field.trim() !== ''))
    .map((row) => Object.fromEntries(header.map((name, column) => [name.trim(), row[column] ?? ''])));
  return { header: header.map((name) => name.trim()), records };
}
