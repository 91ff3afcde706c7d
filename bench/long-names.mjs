#!/usr/bin/env node
// long-names.mjs --out FILE [--name-mb N] [--objects K] [--located 0|1]
//                [--tag 0|1] [--values V] [--gzip-padding Z]
//
// Writes a synthetic V8-layout heap snapshot where one long string (N MB,
// default 20) is the class name of K objects (default 100000), and V
// string nodes (default 0) hold one other N MB string as their value. It
// reproduces "one 600 MB string used as a class name" at a size a test
// machine can hold: class naming, counting classes and `duplicates` must
// cost O(objects), not O(objects × name length).
//   --located 1  every object has the same constructor location, as Node 20
//                writes for objects of a user class: the class key then
//                holds the name. --located 2: each object a line of its own
//                (a class row each).
//   --tag 1      the name starts with `<` (a DOM tag class) and has no space.
// Expected: `heaplens summary FILE` lists the long class with count K.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) =>
    (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
if (!args.out) {
  console.error('usage: long-names.mjs --out FILE [--name-mb N] [--objects K] [--located 0|1] [--tag 0|1] [--values V]');
  process.exit(2);
}
const nameBytes = Math.round(Number(args['name-mb'] ?? 20) * 1e6);
const objects = Number(args.objects ?? 100000);
const located = Number(args.located ?? 0);
const tag = args.tag === '1';
const values = Number(args.values ?? 0);

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
// Nodes: root, then the objects, then the value strings; the root holds
// every one by an element edge. Strings: "", "1", the name, the value.
const SYNTHETIC = 9, OBJECT = 3, STRING = 2, ELEMENT = 1;
const nodes = 1 + objects + values;
const out = createWriteStream(args.out);
const write = async (text) => { if (!out.write(text)) await once(out, 'drain'); };
const chunked = async (count, line) => {
  for (let i = 0; i < count; i += 1000) {
    let text = '';
    for (let j = i; j < Math.min(count, i + 1000); j++) text += line(j);
    await write(text);
  }
};

await write(`{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${nodes},` +
  `"edge_count":${nodes - 1},"trace_function_count":0},\n"nodes":[`);
await write(`${SYNTHETIC},0,1,0,${nodes - 1},0,0`);
await chunked(objects, (i) => `\n,${OBJECT},2,${3 + 2 * i},16,0,0,0`);
await chunked(values, (i) => `\n,${STRING},3,${3 + 2 * (objects + i)},${nameBytes},0,0,0`);
await write('],\n"edges":[');
await chunked(nodes - 1, (i) => `${i ? ',' : ''}\n${ELEMENT},${i + 1},${7 * (i + 1)}`);
await write('],\n"locations":[');
if (located) await chunked(objects, (i) => `${i ? ',' : ''}\n${7 * (i + 1)},1,${located === 2 ? i : 7},0`);
// Written a MB at a time: a JS string holds at most 512 MB.
const long = async (start, fill) => {
  await write(start);
  const piece = fill.repeat(1 << 20);
  let left = nameBytes - start.length;
  for (; left >= piece.length; left -= piece.length) await write(piece);
  await write(fill.repeat(left));
};
await write('],\n"strings":["","1","');
await long(tag ? '<div' : 'Long', 'n');
await write('",\n"');
await long('Value', 'v');
await write('"]}\n');
out.end();
await once(out, 'finish');
console.error(`${args.out}: ${objects} objects named by ${nameBytes} bytes, ${values} values`);
