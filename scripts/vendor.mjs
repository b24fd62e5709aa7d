// Copies the browser dependencies pinned in package.json from node_modules/ into ui/static/vendor/,
// named with their version, with their licence files. Run after `npm ci`: `node scripts/vendor.mjs`.
// What is copied is package.json's "vendor" list; tests/unit/test_vendor.py checks the result.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const VENDOR = join(ROOT, "ui", "static", "vendor");

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function installedVersion(name, pinned) {
  const path = join(ROOT, "node_modules", name, "package.json");
  const version = readJson(path).version;
  if (version !== pinned) {
    throw new Error(`${relative(ROOT, path)}: version ${version}, but package.json pins ${pinned}: run \`npm ci\``);
  }
  return version;
}

// [source path in the package, target path under ui/static/vendor] for one "vendor" entry.
function copies(entry, version) {
  const fill = (template, name) => template.replaceAll("{version}", version).replaceAll("{name}", name ?? "");
  const files = (entry.names ?? [null]).map((name) => [fill(entry.from, name), fill(entry.to, name)]);
  const licenses = Object.entries(entry.licenses ?? {}).map(([from, to]) => [from, fill(to)]);
  return files.concat(licenses);
}

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function main() {
  const pkg = readJson(join(ROOT, "package.json"));
  const wanted = new Set();
  for (const entry of pkg.vendor) {
    const version = installedVersion(entry.package, pkg.dependencies[entry.package]);
    for (const [from, to] of copies(entry, version)) {
      const target = join(VENDOR, to);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(ROOT, "node_modules", entry.package, from), target);
      wanted.add(target);
    }
  }
  for (const path of listFiles(VENDOR)) {
    if (!wanted.has(path)) {
      rmSync(path);
      console.log(`removed ${relative(ROOT, path)}`);
    }
  }
  console.log(`${wanted.size} files in ${relative(ROOT, VENDOR)}/`);
}

main();
