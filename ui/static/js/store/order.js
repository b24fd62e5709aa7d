// Pure: the ordered keys that let Activity page through every request sorted by a number without reading the
// records (docs/architecture.md, "Browser store"). Each request has one key per sortable number beside it in the
// same object store, written and deleted in the same transaction as the record:
//   ["ord", column, value, requestKey]
// An array key sorts after every string key (IndexedDB 3.0, "compare two keys": array > string), so the ordered
// keys never fall inside a "req:"/"day:"/"meta:" range, and arrays compare element by element with numbers as
// numbers: walking a column's range "next" or "prev" yields exactly search.js sortRows' order (value, then request
// key, both reversed when descending), with no encoding of the value.
import { sortValue } from "../rules/search.js";
import { META_PREFIX } from "../rules/keys.js";

/** Activity's number columns (rules/search.js COLUMNS); "time" is the request key's own order. */
export const ORDER_COLUMNS = ["input", "output", "cost", "response", "speed"];

/** Where the store says how far the ordered keys of records stored before them were built. */
export const ORDER_META = `${META_PREFIX}order`;
/** Bumped when the key shape changes: a store built for another version is built again. */
export const ORDER_VERSION = 1;

const ORDER = "ord";

/** sortValue's number; a value IndexedDB cannot key (NaN) sorts as a missing one (-1), as the record shows "—". */
function keyValue(column, record) {
  const value = sortValue(column, record);
  return Number.isFinite(value) ? value : -1;
}

/** The ordered keys of the record stored at `key`, one per column. */
export function orderKeys(record, key) {
  return ORDER_COLUMNS.map((column) => [ORDER, column, keyValue(column, record), key]);
}

/** [lower, upper] of one column's ordered keys: `[]` is above every number, so the upper bound takes them all. */
export function orderBounds(column) {
  if (!ORDER_COLUMNS.includes(column)) throw new Error(`no ordered column ${JSON.stringify(column)}`);
  return [[ORDER, column], [ORDER, column, []]];
}

/** The request key an ordered key points at. */
export const orderedRequestKey = (orderKey) => orderKey[3];

/** Whether the meta value says every record stored before the ordered keys existed has its keys. */
export const orderBuilt = (meta) => meta?.version === ORDER_VERSION && meta.done === true;
