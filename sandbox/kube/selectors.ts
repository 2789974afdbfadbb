/** Kubernetes label and field selectors, as the API server parses them (a 400 on bad syntax). */

export class SelectorError extends Error {}

type Requirement = (labels: Record<string, string>) => boolean;

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[A-Za-z0-9._-]*';
const SET_PATTERN = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(([^)]*)\)$`);
const EQUALITY_PATTERN = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const EXISTS_PATTERN = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim() || terms.length > 0) terms.push(current.trim());
  return terms;
}

function parseRequirement(term: string): Requirement {
  const set = SET_PATTERN.exec(term);
  if (set) {
    const [, key = '', operator, list = ''] = set;
    const values = new Set(list.split(',').map((value) => value.trim()));
    return operator === 'in' ? (labels) => key in labels && values.has(labels[key] ?? '') : (labels) => !values.has(labels[key] ?? '\0');
  }
  const equality = EQUALITY_PATTERN.exec(term);
  if (equality) {
    const [, key = '', operator, value] = equality;
    return operator === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const exists = EXISTS_PATTERN.exec(term);
  if (exists) {
    const [, negated, key = ''] = exists;
    return negated ? (labels) => !(key in labels) : (labels) => key in labels;
  }
  throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
}

/** A predicate over an object's labels; an empty selector matches everything. */
export function parseLabelSelector(text: string | null | undefined): Requirement {
  if (!text?.trim()) return () => true;
  const requirements = splitTerms(text).map((term) => {
    if (!term) throw new SelectorError(`found '', expected: identifier in ${JSON.stringify(text)}`);
    return parseRequirement(term);
  });
  return (labels) => requirements.every((requirement) => requirement(labels));
}

/** A predicate over an object for `path=value`, `path==value` and `path!=value` terms joined by commas. */
export function parseFieldSelector(text: string | null | undefined): (object: unknown) => boolean {
  if (!text?.trim()) return () => true;
  const terms = text.split(',').map((term) => {
    const match = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!match) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const [, path = '', operator, value = ''] = match;
    const read = (object: unknown): string => {
      let current: unknown = object;
      for (const part of path.split('.')) current = (current as Record<string, unknown> | undefined)?.[part];
      return current === undefined || current === null ? '' : String(current);
    };
    return operator === '!=' ? (object: unknown) => read(object) !== value : (object: unknown) => read(object) === value;
  });
  return (object) => terms.every((term) => term(object));
}
