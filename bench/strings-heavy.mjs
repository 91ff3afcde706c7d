#!/usr/bin/env node
// strings-heavy.mjs --out FILE [--strings-mb N] [--string-kb K]
//
// Writes a synthetic V8-layout heap snapshot whose `strings` section holds
// N MB (default 600) of strings of K kB each (default 1024), each held by a
// string node under one `Holder` object: the scale check for a strings
// section past 512 MB (the most a V8 string, and so DevTools' loader, can
// hold) or past 4 GiB (64-bit offsets). Node cannot make such a heap on a
// small machine; this writes one in seconds, streaming, in little memory.
// Expected: `heaplens summary FILE` shows `(string)` with count = the
// number of strings and shallow size = N MB in bytes.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) =>
    (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
if (!args.out) {
  console.error('usage: strings-heavy.mjs --out FILE [--strings-mb N] [--string-kb K]');
  process.exit(2);
}
const stringBytes = Number(args['string-kb'] ?? 1024) * 1024;
const count = Math.ceil(Number(args['strings-mb'] ?? 600) * 1e6 / stringBytes);

const meta = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number',
    'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint',
    'object shape'], 'string', 'number', 'number', 'number', 'number', 'number'],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'],
    'string_or_number', 'node'],
  trace_function_info_fields: [], trace_node_fields: [], sample_fields: [],
  location_fields: ['object_index', 'script_id', 'line', 'column'],
};
// Nodes: root, (GC roots), Holder, then one string node per big string.
// Strings: "", "(GC roots)", "Holder", "s", then the big strings.
const SYNTHETIC = 9, OBJECT = 3, STRING = 2, ELEMENT = 1, PROPERTY = 2, SHORTCUT = 5;
const fixedStrings = ['', '(GC roots)', 'Holder', 's'];
const out = createWriteStream(args.out);
const write = async (text) => { if (!out.write(text)) await once(out, 'drain'); };

await write(`{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${count + 3},` +
  `"edge_count":${count + 2},"trace_function_count":0},\n"nodes":[`);
await write(`${SYNTHETIC},0,1,0,2,0,0\n,${SYNTHETIC},1,3,0,0,0,0\n,${OBJECT},2,5,16,${count},0,0`);
for (let i = 0; i < count; i++) {
  await write(`\n,${STRING},${fixedStrings.length + i},${7 + 2 * i},${stringBytes},0,0,0`);
}
await write(`],\n"edges":[${ELEMENT},1,7\n,${SHORTCUT},2,14`);
for (let i = 0; i < count; i++) await write(`\n,${PROPERTY},3,${7 * (3 + i)}`);
await write(`],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],\n"strings":[`);
await write(fixedStrings.map((s) => JSON.stringify(s)).join(',\n'));
for (let i = 0; i < count; i++) {
  const label = `string ${i} `;
  await write(`,\n"${label}${'x'.repeat(stringBytes - label.length)}"`);
}
await write(']}\n');
out.end();
await once(out, 'finish');
console.error(`${args.out}: ${count} strings of ${stringBytes} bytes`);
