// Pure: the order entries that let Activity page through every request sorted by a number without reading the
// records (docs/architecture.md, "Browser store"). Each request has one entry in the "order" object store, under
// the record's own key, holding its five sortable numbers; an index per number keeps the entries ordered by
// (number, request key), so walking an index "next" or "prev" yields exactly search.js sortRows' order (value,
// then request key, both reversed when descending). IndexedDB keeps the five indexes itself: one put per record,
// where one key per number took five (import ran ~5× slower).
import { sortValue } from "../rules/search.js";
import { META_PREFIX } from "../rules/keys.js";

/** Activity's number columns (rules/search.js COLUMNS), each an index of the order store; "time" is the key order. */
export const ORDER_COLUMNS = ["input", "output", "cost", "response", "speed"];

/** The object store beside the data store that holds the order entries. */
export const ORDER_STORE = "order";

/** Where the store says how far the order entries of records stored before them were built. */
export const ORDER_META = `${META_PREFIX}order`;
/** Bumped when the entry shape changes: a store built for another version is built again. */
export const ORDER_VERSION = 2;

/** sortValue's number; a value IndexedDB cannot key (NaN) sorts as a missing one (-1), as the record shows "—". */
function keyValue(column, record) {
  const value = sortValue(column, record);
  return Number.isFinite(value) ? value : -1;
}

/** The order entry of a record: {column: number} for every column, so every record is in every index. */
export function orderEntry(record) {
  const entry = {};
  for (const column of ORDER_COLUMNS) entry[column] = keyValue(column, record);
  return entry;
}

/** Creates the order store and its indexes (an index per column, keyed by the column's number). */
export function createOrderStore(db) {
  const order = db.createObjectStore(ORDER_STORE);
  for (const column of ORDER_COLUMNS) order.createIndex(column, column);
}

/** The index a column is sorted by; a column that has none is a mistake of the caller. */
export function orderIndex(column) {
  if (!ORDER_COLUMNS.includes(column)) throw new Error(`no ordered column ${JSON.stringify(column)}`);
  return column;
}

/**
 * The keys version 1 of the store kept in the data store, `["ord", column, value, request key]`: an array key sorts
 * after every string key, so this range holds them all and nothing else.
 */
export const OLD_ORDER_KEYS = [["ord"], ["ord", []]];

/** Whether the meta value says every record stored before the order entries existed has its entry. */
export const orderBuilt = (meta) => meta?.version === ORDER_VERSION && meta.done === true;
