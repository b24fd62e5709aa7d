// Demo data: the same records for a seed, every one a valid record marked demo, spread over the days asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_ID_PREFIX, demoRecords } from "../../ui/static/js/rules/demo.js";
import { checkRecord } from "../../ui/static/js/rules/record.js";

process.env.TZ = "Europe/Berlin";
const NOW = new Date(2026, 4, 14, 18, 0, 0);

test("demo data is the same for a seed, oldest first, within the days asked and never after now", () => {
  const items = demoRecords(NOW, { days: 10 });
  assert.deepEqual(items, demoRecords(NOW, { days: 10 }));
  assert.ok(items.length > 100);
  assert.ok(items.every((item, i) => i === 0 || items[i - 1].epoch_ms <= item.epoch_ms));
  assert.ok(items[0].epoch_ms >= new Date(2026, 4, 5).getTime());
  assert.ok(items.at(-1).epoch_ms <= NOW.getTime());
});

test("every demo record passes the record check unchanged and is marked demo", () => {
  for (const { record, epoch_ms } of demoRecords(NOW, { days: 5 })) {
    assert.deepEqual(checkRecord("demo", record), record);
    assert.equal(record.demo, true);
    assert.ok(record.id.startsWith(DEMO_ID_PREFIX));
    assert.equal(Date.parse(record.timestamp), epoch_ms);
  }
});
